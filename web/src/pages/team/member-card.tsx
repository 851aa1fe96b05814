// One member of the team: name, email, role and approver flag (editable by those who manage the
// team), when they joined and who invited them, and Remove (or Leave, on your own card).
import { type Member, type Role, useUpdateMember } from '../../api/queries';
import { Field, formatDateTime } from '../../components/ui';
import { approverMatters, ROLE_LABELS, roleLabel, ROLES } from '../../format/roles';
import { useScopedBusiness } from '../business-scope';
import { TeamError } from './team-error';

export function MemberCard(props: {
  member: Member;
  isMe: boolean;
  manage: boolean;
  callerIsOwner: boolean;
  removing: boolean;
  onRemove: () => void;
}) {
  const { member, isMe, manage, callerIsOwner } = props;
  const business = useScopedBusiness();
  const update = useUpdateMember(business.id);
  // Only an owner grants or takes away the owner role.
  const editable = manage && (callerIsOwner || member.role !== 'owner');
  const roles = ROLES.filter((role) => callerIsOwner || role !== 'owner');
  const canRemove = isMe || editable;

  return (
    <li className="card team-member" data-testid="member-row">
      <div className="team-member-who">
        <strong>
          {member.name}
          {isMe && <span className="badge team-you">You</span>}
        </strong>
        <span className="muted small team-break">{member.email}</span>
        <span className="muted small">
          Joined {formatDateTime(member.joinedAt)}
          {member.invitedBy && <> · invited by {member.invitedBy.name}</>}
        </span>
      </div>
      <div className="team-member-role">
        {editable ? (
          <>
            <Field label="Role">
              {({ id }) => (
                <select
                  id={id}
                  value={member.role}
                  disabled={update.isPending}
                  aria-label={`Role of ${member.name}`}
                  onChange={(event) => {
                    update.mutate({ userId: member.userId, role: event.target.value as Role });
                  }}
                >
                  {roles.map((role) => (
                    <option key={role} value={role}>
                      {ROLE_LABELS[role]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {approverMatters(member.role) && (
              <label className="team-check">
                <input
                  type="checkbox"
                  checked={member.approver}
                  disabled={update.isPending}
                  onChange={(event) => {
                    update.mutate({ userId: member.userId, approver: event.target.checked });
                  }}
                />{' '}
                Can approve content
              </label>
            )}
          </>
        ) : (
          <span className="badge" data-testid="member-role">
            {roleLabel(member.role, member.approver)}
          </span>
        )}
      </div>
      {canRemove && (
        <div className="team-member-actions">
          <button
            type="button"
            className="button secondary"
            disabled={props.removing}
            onClick={props.onRemove}
          >
            {isMe ? 'Leave business' : 'Remove'}
          </button>
        </div>
      )}
      {update.isError && (
        <div className="team-member-error">
          <TeamError error={update.error} title="Could not change the role" />
        </div>
      )}
    </li>
  );
}
