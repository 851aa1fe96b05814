// The Team page of a business: who works on it and in which role, the invitations still open,
// and (for members who manage the team) inviting, changing roles and removing. Everyone sees the
// list; anyone may leave, except the last owner, which the server refuses with a 409 shown here.
import './team.css';

import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';

import { useSession } from '../../api/context';
import { keys, type Member, useMembers, useRemoveMember } from '../../api/queries';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, PageHeader, Skeleton } from '../../components/ui';
import { roleSummaries } from '../../format/roles';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { rememberBusiness } from '../../state/active-business';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import { InvitationList, InviteForm } from './invitations';
import { MemberCard } from './member-card';
import { TeamError } from './team-error';

export function TeamPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Team', business.name);
  const manage = can(business, 'team.manage');
  const members = useMembers(business.id);
  const myId = useSession()?.user.id;
  const items = members.data?.items ?? [];

  return (
    <>
      <PageHeader
        title="Team"
        description={`Everyone who works on ${business.name}, and what each of them may do.`}
      />
      {manage && <InviteForm business={business} />}
      <section className="team-section" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        {members.isPending && <Skeleton lines={3} height={56} label="Loading the team…" />}
        {members.isError && (
          <ErrorNotice
            error={members.error}
            title="Could not load the team"
            onRetry={() => void members.refetch()}
          />
        )}
        {members.isSuccess && items.length === 0 && (
          <EmptyState title="No members" testId="members-empty">
            <p>Nobody works on this business yet.</p>
          </EmptyState>
        )}
        {items.length > 0 && (
          <MemberList
            members={items}
            myId={myId}
            manage={manage}
            callerIsOwner={business.role === 'owner'}
          />
        )}
      </section>
      {manage && <InvitationList businessId={business.id} />}
      <RolesExplained />
    </>
  );
}

function MemberList(props: {
  members: Member[];
  myId: string | undefined;
  manage: boolean;
  callerIsOwner: boolean;
}) {
  const business = useScopedBusiness();
  const remove = useRemoveMember(business.id);
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  function removeMember(member: Member) {
    const leaving = member.userId === props.myId;
    const question = leaving
      ? `Leave ${business.name}? You will no longer see it, and your API keys for it stop working.`
      : `Remove ${member.name} from ${business.name}? Their API keys for it stop working at once.`;
    if (!window.confirm(question)) return;
    remove.mutate(member.userId, {
      onSuccess: () => {
        if (!leaving) return;
        rememberBusiness(null);
        queryClient.removeQueries({ queryKey: keys.business(business.id) });
        void queryClient.invalidateQueries({ queryKey: keys.businesses });
        void navigate('/businesses', { replace: true });
      },
    });
  }

  return (
    <>
      {remove.isError && <TeamError error={remove.error} title="Could not remove the member" />}
      <ul className="card-list team-members" aria-label="Members">
        {props.members.map((member) => (
          <MemberCard
            key={member.userId}
            member={member}
            isMe={member.userId === props.myId}
            manage={props.manage}
            callerIsOwner={props.callerIsOwner}
            removing={remove.isPending && remove.variables === member.userId}
            onRemove={() => {
              removeMember(member);
            }}
          />
        ))}
      </ul>
    </>
  );
}

function RolesExplained() {
  return (
    <details className="card team-roles">
      <summary>What can each role do?</summary>
      <dl>
        {roleSummaries().map((summary) => (
          <div key={summary.role}>
            <dt>{summary.label}</dt>
            <dd>{summary.can.join('; ')}.</dd>
          </div>
        ))}
      </dl>
      <p className="muted small">
        An editor or viewer marked “can approve” may also approve content, activate sequences and
        send broadcasts.
      </p>
    </details>
  );
}
