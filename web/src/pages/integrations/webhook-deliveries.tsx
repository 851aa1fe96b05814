// An endpoint's delivery log: each event sent, its status and attempts, the receiver's last
// answer (status, latency, the start of its body) and a Redeliver button.
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, formatDateTime, Skeleton } from '../../components/ui';
import { useDeliveries, useRedeliver, type WebhookDelivery } from './webhook-queries';

const STATUS_LABEL: Record<WebhookDelivery['status'], string> = {
  pending: 'Retrying',
  delivered: 'Delivered',
  failed: 'Failed',
};

const STATUS_CLASS: Record<WebhookDelivery['status'], string> = {
  pending: 'status-running',
  delivered: 'status-succeeded',
  failed: 'status-failed',
};

function lastAnswer(delivery: WebhookDelivery) {
  const attempt = delivery.attemptLog[0];
  if (!attempt) return <span className="muted">Not sent yet</span>;
  return (
    <>
      <span>{attempt.statusCode ?? 'no answer'}</span>
      {attempt.latencyMs !== null && <span className="muted small"> · {attempt.latencyMs} ms</span>}
      {(attempt.error ?? attempt.responseExcerpt) && (
        <div className="muted small webhook-excerpt">
          {attempt.responseExcerpt || attempt.error}
        </div>
      )}
    </>
  );
}

export function WebhookDeliveries(props: { businessId: string; endpointId: string }) {
  const deliveries = useDeliveries(props.businessId, props.endpointId);
  const redeliver = useRedeliver(props.businessId, props.endpointId);
  const items = deliveries.data?.items ?? [];

  return (
    <div className="stack" data-testid="webhook-deliveries">
      <div className="webhook-log-head">
        <h4>Delivery log</h4>
        <button
          type="button"
          className="button link"
          onClick={() => void deliveries.refetch()}
          disabled={deliveries.isFetching}
        >
          Refresh
        </button>
      </div>
      {deliveries.isPending && <Skeleton lines={3} height={28} label="Loading the deliveries…" />}
      {deliveries.isError && (
        <ErrorNotice
          error={deliveries.error}
          title="Could not load the delivery log"
          onRetry={() => void deliveries.refetch()}
        />
      )}
      {deliveries.isSuccess && items.length === 0 && (
        <EmptyState title="Nothing sent yet" testId="webhook-deliveries-empty">
          <p>Events this endpoint hears appear here as they are sent. Try “Send test event”.</p>
        </EmptyState>
      )}
      {redeliver.isError && <ErrorNotice error={redeliver.error} title="Could not redeliver" />}
      {items.length > 0 && (
        <div className="webhook-table">
          <DataTable
            label="Deliveries"
            rows={items}
            rowKey={(delivery) => delivery.id}
            rowTestId="webhook-delivery"
            columns={[
              {
                header: 'Event',
                cellClassName: 'break',
                cell: (delivery) => (
                  <>
                    <code>{delivery.eventType}</code>
                    <div className="muted small">{formatDateTime(delivery.createdAt)}</div>
                  </>
                ),
              },
              {
                header: 'Status',
                cell: (delivery) => (
                  <>
                    <span className={`badge ${STATUS_CLASS[delivery.status]}`}>
                      {STATUS_LABEL[delivery.status]}
                    </span>
                    {delivery.lastStatusCode !== null && (
                      <span className="muted small"> {delivery.lastStatusCode}</span>
                    )}
                    {delivery.status === 'pending' && delivery.nextAttemptAt && (
                      <div className="muted small">
                        next {formatDateTime(delivery.nextAttemptAt)}
                      </div>
                    )}
                  </>
                ),
              },
              {
                header: 'Attempts',
                className: 'number hide-narrow',
                // Scheduled attempts, or the log's when tests and redeliveries are all there is.
                cell: (delivery) => Math.max(delivery.attempts, delivery.attemptLog.length),
              },
              {
                header: 'Last answer',
                className: 'hide-narrow',
                cellClassName: 'break hide-narrow',
                cell: lastAnswer,
              },
              {
                header: <span className="visually-hidden">Actions</span>,
                cell: (delivery) => (
                  <button
                    type="button"
                    className="button link"
                    aria-label={`Redeliver ${delivery.eventType} ${delivery.eventId}`}
                    disabled={redeliver.isPending && redeliver.variables === delivery.id}
                    onClick={() => {
                      redeliver.mutate(delivery.id);
                    }}
                  >
                    Redeliver
                  </button>
                ),
              },
            ]}
          />
        </div>
      )}
    </div>
  );
}
