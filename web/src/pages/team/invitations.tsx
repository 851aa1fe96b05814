// Inviting someone by email with a role, the link to hand over when Herald cannot send email,
// and the invitations still waiting for an answer (revocable).
import { type SyntheticEvent, useState } from 'react';

import { ApiError } from '../../api/errors';
import {
  type Business,
  type Invitation,
  type Role,
  useInvitations,
  useInvite,
  useRevokeInvitation,
} from '../../api/queries';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { Field, formatDateTime } from '../../components/ui';
import { approverMatters, ROLE_LABELS, roleLabel, ROLES } from '../../format/roles';

export function InviteForm({ business }: { business: Business }) {
  const invite = useInvite(business.id);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('editor');
  const [approver, setApprover] = useState(false);
  const [sent, setSent] = useState<Invitation | null>(null);
  const fields = invite.error instanceof ApiError ? invite.error.fieldErrors() : {};
  // Only an owner may make someone an owner.
  const roles = ROLES.filter((option) => business.role === 'owner' || option !== 'owner');

  function submit(event: SyntheticEvent) {
    event.preventDefault();
    setSent(null);
    invite.mutate(
      { email: email.trim(), role, approver: approverMatters(role) && approver },
      {
        onSuccess: (invitation) => {
          setSent(invitation);
          setEmail('');
        },
      },
    );
  }

  return (
    <>
      <form className="card form team-section" onSubmit={submit} aria-labelledby="invite-title">
        <h2 id="invite-title">Invite someone</h2>
        <div className="team-invite-fields">
          <Field label="Email" error={fields.email}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="email"
                required
                autoComplete="off"
                value={email}
                aria-invalid={invalid}
                aria-describedby={describedBy}
                onChange={(event) => {
                  setEmail(event.target.value);
                }}
              />
            )}
          </Field>
          <Field label="Role" error={fields.role}>
            {({ id, describedBy }) => (
              <select
                id={id}
                value={role}
                aria-describedby={describedBy}
                onChange={(event) => {
                  setRole(event.target.value as Role);
                }}
              >
                {roles.map((option) => (
                  <option key={option} value={option}>
                    {ROLE_LABELS[option]}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {approverMatters(role) && (
          <label className="team-check">
            <input
              type="checkbox"
              checked={approver}
              onChange={(event) => {
                setApprover(event.target.checked);
              }}
            />{' '}
            Can approve content, activate sequences and send broadcasts
          </label>
        )}
        {invite.isError && Object.keys(fields).length === 0 && (
          <ErrorNotice error={invite.error} title="Could not send the invitation" />
        )}
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={invite.isPending}>
            {invite.isPending ? 'Inviting…' : 'Send invitation'}
          </button>
        </div>
      </form>
      {sent && (
        <InviteSent
          invitation={sent}
          onDismiss={() => {
            setSent(null);
          }}
        />
      )}
    </>
  );
}

function InviteSent({ invitation, onDismiss }: { invitation: Invitation; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  const link = invitation.acceptUrl;
  if (!link) {
    return (
      <p className="notice info team-section" role="status" data-testid="invite-sent">
        Invitation emailed to {invitation.email}. It works until{' '}
        {formatDateTime(invitation.expiresAt)}.
      </p>
    );
  }
  return (
    <div className="card team-section" role="status" data-testid="invite-link">
      <h2>Send this link to {invitation.email}</h2>
      <p>
        Email isn’t set up, so send this link yourself. It works once, for {invitation.email} only,
        until {formatDateTime(invitation.expiresAt)}.
      </p>
      <p>
        <code className="team-break" data-testid="invite-link-url">
          {link}
        </code>
      </p>
      <div className="home-actions">
        {typeof navigator !== 'undefined' && 'clipboard' in navigator && (
          <button
            type="button"
            className="button"
            onClick={() => {
              navigator.clipboard.writeText(link).then(
                () => {
                  setCopied(true);
                },
                () => undefined,
              );
            }}
          >
            {copied ? 'Copied' : 'Copy link'}
          </button>
        )}
        <button type="button" className="button secondary" onClick={onDismiss}>
          Done
        </button>
      </div>
    </div>
  );
}

export function InvitationList({ businessId }: { businessId: string }) {
  const invitations = useInvitations(businessId);
  const revoke = useRevokeInvitation(businessId);
  const pending = (invitations.data?.items ?? []).filter(
    (invitation) => invitation.status === 'pending',
  );

  return (
    <section className="team-section" aria-labelledby="invitations-title">
      <h2 id="invitations-title">Invitations waiting for an answer</h2>
      {invitations.isPending && <p className="muted">Loading the invitations…</p>}
      {invitations.isError && (
        <ErrorNotice
          error={invitations.error}
          title="Could not load the invitations"
          onRetry={() => void invitations.refetch()}
        />
      )}
      {revoke.isError && <ErrorNotice error={revoke.error} title="Could not revoke" />}
      {invitations.isSuccess && pending.length === 0 && (
        <p className="muted" data-testid="invitations-empty">
          None: everyone invited has answered.
        </p>
      )}
      {pending.length > 0 && (
        <div className="team-table">
          <DataTable
            label="Invitations"
            rows={pending}
            rowKey={(invitation) => invitation.id}
            rowTestId="invitation-row"
            columns={[
              {
                header: 'Email',
                cellClassName: 'team-break',
                cell: (invitation) => invitation.email,
              },
              {
                header: 'Role',
                cell: (invitation) => roleLabel(invitation.role, invitation.approver),
              },
              {
                header: 'Invited by',
                className: 'hide-narrow',
                cell: (invitation) => invitation.invitedBy?.name ?? '—',
              },
              {
                header: 'Expires',
                className: 'hide-narrow',
                cell: (invitation) => formatDateTime(invitation.expiresAt),
              },
              {
                header: <span className="visually-hidden">Actions</span>,
                cell: (invitation) => (
                  <button
                    type="button"
                    className="button secondary"
                    disabled={revoke.isPending}
                    onClick={() => {
                      if (window.confirm(`Revoke the invitation to ${invitation.email}?`)) {
                        revoke.mutate(invitation.id);
                      }
                    }}
                  >
                    Revoke
                  </button>
                ),
              },
            ]}
          />
        </div>
      )}
    </section>
  );
}
