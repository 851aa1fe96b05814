// The outbox: the emails Herald has sent (or, without SMTP, kept on disk). Sending arrives with
// email sequences; until then the page says so rather than showing an empty table.
import { EmptyState, PageHeader } from '../components/ui';
import { useScopedBusiness } from './business-scope';

export function OutboxPage() {
  const business = useScopedBusiness();
  return (
    <>
      <PageHeader
        title="Outbox"
        description="Every email Herald sends for this business, with its delivery status."
      />
      <EmptyState
        title="No messages yet"
        testId="outbox-empty"
        action={{ label: 'Set the email sender', to: `/businesses/${business.id}/profile` }}
      >
        <p>
          Emails appear here once email sequences start sending. Without an SMTP server configured,
          Herald keeps each message in its local outbox so you can read it here before going live.
        </p>
      </EmptyState>
    </>
  );
}
