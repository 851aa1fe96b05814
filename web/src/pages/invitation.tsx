// The page an invitation link opens (/invitations/:token): which business, which role, who
// invited you; Accept (then straight into that business) or Decline. A link already used,
// declined, revoked or expired says so plainly. Signed-out visitors sign in or sign up first and
// come back here (RequireAuth keeps the address).
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { ApiError } from '../api/errors';
import { type Invitation, useAnswerInvitation, useInvitation } from '../api/queries';
import { ErrorNotice } from '../components/error-notice';
import { EmptyState, formatDateTime, PageHeader, Skeleton } from '../components/ui';
import { roleLabel } from '../format/roles';
import { useDocumentTitle } from '../hooks/use-document-title';
import { rememberBusiness } from '../state/active-business';

const REASONS: Record<string, string> = {
  expired: 'This invitation has expired. Ask whoever invited you to send a new one.',
  accepted: 'This invitation has already been accepted.',
  declined: 'This invitation was declined.',
  revoked: 'This invitation was withdrawn by the business.',
};

export function InvitationPage() {
  useDocumentTitle('Invitation');
  const { token = '' } = useParams();
  const invitation = useInvitation(token);

  return (
    <>
      <PageHeader title="Invitation" />
      {invitation.isPending && <Skeleton lines={3} label="Loading the invitation…" />}
      {invitation.isError && <InvitationRefused error={invitation.error} />}
      {invitation.isSuccess && <InvitationCard token={token} invitation={invitation.data} />}
    </>
  );
}

function unusableReason(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 404) {
    return 'This invitation link is not valid. Check that it was copied in full.';
  }
  if (error.status !== 409) return null;
  const reason = typeof error.details.reason === 'string' ? error.details.reason : '';
  return REASONS[reason] ?? error.message;
}

function InvitationRefused({ error }: { error: unknown }) {
  const reason = unusableReason(error);
  if (!reason) return <ErrorNotice error={error} title="Could not open the invitation" />;
  return (
    <EmptyState
      title="This invitation can’t be used"
      testId="invitation-unusable"
      action={{ label: 'Go to your businesses', to: '/businesses' }}
    >
      <p>{reason}</p>
    </EmptyState>
  );
}

function InvitationCard({ token, invitation }: { token: string; invitation: Invitation }) {
  const { accept, decline } = useAnswerInvitation(token);
  const navigate = useNavigate();
  const [declined, setDeclined] = useState(false);

  if (invitation.status !== 'pending') {
    return (
      <EmptyState
        title="This invitation can’t be used"
        testId="invitation-unusable"
        action={{ label: 'Go to your businesses', to: '/businesses' }}
      >
        <p>{REASONS[invitation.status] ?? 'It is no longer open.'}</p>
      </EmptyState>
    );
  }
  if (declined) {
    return (
      <EmptyState
        title="Invitation declined"
        testId="invitation-declined"
        action={{ label: 'Go to your businesses', to: '/businesses' }}
      >
        <p>{invitation.businessName} will see that you said no.</p>
      </EmptyState>
    );
  }

  const error = accept.error ?? decline.error;
  const refusedReason = unusableReason(error);
  const busy = accept.isPending || decline.isPending;
  return (
    <div className="card form" data-testid="invitation">
      <h2>Join {invitation.businessName}</h2>
      <p>
        {invitation.invitedBy ? `${invitation.invitedBy.name} invited you` : 'You are invited'} (
        <span className="home-wrap">{invitation.email}</span>) to work on{' '}
        <strong>{invitation.businessName}</strong> as{' '}
        <strong data-testid="invitation-role">
          {roleLabel(invitation.role, invitation.approver)}
        </strong>
        .
      </p>
      <p className="muted small">The link works until {formatDateTime(invitation.expiresAt)}.</p>
      {refusedReason ? (
        <p className="notice error" role="alert">
          {refusedReason}
        </p>
      ) : (
        error && <ErrorNotice error={error} title="That didn’t work" />
      )}
      <div className="form-actions">
        <button
          type="button"
          className="button primary"
          disabled={busy}
          onClick={() => {
            accept.mutate(undefined, {
              onSuccess: (joined) => {
                rememberBusiness(joined.businessId);
                void navigate(`/businesses/${joined.businessId}/home`, { replace: true });
              },
            });
          }}
        >
          {accept.isPending ? 'Joining…' : 'Accept'}
        </button>
        <button
          type="button"
          className="button secondary"
          disabled={busy}
          onClick={() => {
            decline.mutate(undefined, {
              onSuccess: () => {
                setDeclined(true);
              },
            });
          }}
        >
          Decline
        </button>
      </div>
      <p className="muted small">
        Not for you? <Link to="/businesses">Go to your businesses</Link>.
      </p>
    </div>
  );
}
