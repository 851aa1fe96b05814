// Every attempt to publish a piece, with its channel, outcome, status code and error (and, for
// the email channel, how many were sent and which listed addresses were skipped and why); checked
// every few seconds while the piece waits for its time.
import type { Business } from '../../api/queries';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { Skeleton, StatusBadge } from '../../components/ui';
import { statusLabel } from '../../format/labels';
import { channelLabel, type Content, usePublishAttempts } from '../campaigns/queries';
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
        <DataTable
          label="Publishing attempts"
          rows={attempts.data.items}
          rowKey={(attempt) => attempt.id}
          rowTestId="attempt-row"
          columns={[
            { header: '#', cell: (attempt) => attempt.attempt },
            {
              header: 'When',
              cell: (attempt) => formatInZone(attempt.createdAt, business.timezone),
            },
            { header: 'Channel', cell: (attempt) => channelLabel(attempt.channel) },
            {
              header: 'Outcome',
              cell: (attempt) => (
                <StatusBadge status={attempt.outcome === 'success' ? 'succeeded' : 'failed'} />
              ),
            },
            {
              header: 'Details',
              cellClassName: 'small',
              cell: (attempt) => (
                <>
                  {attempt.error ??
                    `${attempt.statusCode === null ? '' : `HTTP ${attempt.statusCode} · `}${attempt.durationMs} ms`}
                  {attempt.recipients && (
                    <div data-testid="attempt-recipients">
                      {`${attempt.recipients.sent} sent`}
                      {attempt.recipients.skipped.length > 0 &&
                        ` · skipped: ${attempt.recipients.skipped
                          .map(
                            (skip) => `${skip.address} (${statusLabel(skip.reason).toLowerCase()})`,
                          )
                          .join(', ')}`}
                    </div>
                  )}
                </>
              ),
            },
          ]}
        />
      )}
    </section>
  );
}
