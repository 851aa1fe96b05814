// Every attempt to publish a piece, with its channel, outcome, status code and error (and, for
// the email channel, how many were sent and which listed addresses were skipped and why); checked
// every few seconds while the piece waits for its time.
import type { Business } from '../../api/queries';
import { ErrorNotice } from '../../components/error-notice';
import { Skeleton, StatusBadge } from '../../components/ui';
import { type Content, usePublishAttempts } from '../campaigns/queries';
import { formatInZone } from './zoned-time';

export function PublishingHistory({ content, business }: { content: Content; business: Business }) {
  const attempts = usePublishAttempts(
    content.businessId,
    content.id,
    content.status === 'scheduled',
  );
  return (
    <section className="card" aria-labelledby="history-title" data-testid="publishing-history">
      <h2 id="history-title">Publishing history</h2>
      {attempts.isPending && <Skeleton lines={2} label="Loading the publishing history…" />}
      {attempts.isError && (
        <ErrorNotice
          error={attempts.error}
          title="Could not load the publishing history"
          onRetry={() => void attempts.refetch()}
        />
      )}
      {attempts.isSuccess && attempts.data.items.length === 0 && (
        <p className="muted" data-testid="history-empty">
          {content.status === 'scheduled'
            ? `Nothing yet: it publishes at ${formatInZone(content.publishAt, business.timezone)}.`
            : 'Not published yet. Approve the piece, then schedule it.'}
        </p>
      )}
      {attempts.isSuccess && attempts.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Publishing attempts">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Channel</th>
                <th scope="col">Outcome</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {attempts.data.items.map((attempt) => (
                <tr key={attempt.id} data-testid="attempt-row">
                  <td>{attempt.attempt}</td>
                  <td>{formatInZone(attempt.createdAt, business.timezone)}</td>
                  <td>{attempt.channel}</td>
                  <td>
                    <StatusBadge status={attempt.outcome === 'success' ? 'succeeded' : 'failed'} />
                  </td>
                  <td className="small">
                    {attempt.error ??
                      `${attempt.statusCode === null ? '' : `HTTP ${attempt.statusCode} · `}${attempt.durationMs} ms`}
                    {attempt.recipients && (
                      <div data-testid="attempt-recipients">
                        {`${attempt.recipients.sent} sent`}
                        {attempt.recipients.skipped.length > 0 &&
                          ` · skipped: ${attempt.recipients.skipped
                            .map((skip) => `${skip.address} (${skip.reason.replaceAll('_', ' ')})`)
                            .join(', ')}`}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
