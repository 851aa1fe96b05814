// One webhook endpoint: where it sends and what, its state (with Herald's notice when it turned
// the endpoint off), and what the owner can do — send a test event, see or rotate the secret,
// pause or resume, delete — with its delivery log.
import { useState } from 'react';

import { ErrorNotice } from '../../components/error-notice';
import { formatDateTime } from '../../components/ui';
import { WebhookDeliveries } from './webhook-deliveries';
import {
  useDeleteWebhook,
  useRotateSecret,
  useSendTest,
  useUpdateWebhook,
  useWebhookSecret,
  type WebhookEndpoint,
} from './webhook-queries';
import { WebhookSecret } from './webhook-secret';

function stateOf(endpoint: WebhookEndpoint): { label: string; className: string } {
  if (endpoint.active) return { label: 'Active', className: 'status-succeeded' };
  if (endpoint.disabledReason) return { label: 'Turned off', className: 'status-failed' };
  return { label: 'Paused', className: 'status-cancelled' };
}

export function WebhookEndpointCard(props: { businessId: string; endpoint: WebhookEndpoint }) {
  const { businessId, endpoint } = props;
  const [showSecret, setShowSecret] = useState(false);
  const [showLog, setShowLog] = useState(false);
  const update = useUpdateWebhook(businessId, endpoint.id);
  const remove = useDeleteWebhook(businessId);
  const rotate = useRotateSecret(businessId, endpoint.id);
  const test = useSendTest(businessId, endpoint.id);
  const secret = useWebhookSecret(businessId, endpoint.id, showSecret);
  const state = stateOf(endpoint);
  const name = endpoint.description || endpoint.url;

  return (
    <li className="card webhook-card" data-testid="webhook-endpoint" aria-label={name}>
      <div className="webhook-head">
        <div className="webhook-title">
          <strong className="webhook-url">{endpoint.url}</strong>
          {endpoint.description && <div className="muted small">{endpoint.description}</div>}
        </div>
        <span className={`badge ${state.className}`}>{state.label}</span>
      </div>
      {endpoint.disabledReason && (
        <div className="notice warning" role="alert" data-testid="webhook-disabled">
          <strong className="notice-title">
            Herald turned this endpoint off
            {endpoint.disabledAt && ` on ${formatDateTime(endpoint.disabledAt)}`}
          </strong>
          <p>{endpoint.disabledReason}</p>
          <button
            type="button"
            className="button"
            disabled={update.isPending}
            onClick={() => {
              update.mutate({ active: true });
            }}
          >
            Turn back on
          </button>
        </div>
      )}
      <ul className="chips" aria-label="Events sent">
        {endpoint.eventTypes.map((type) => (
          <li key={type} className="chip">
            {type}
          </li>
        ))}
      </ul>
      <div className="webhook-actions">
        <button
          type="button"
          className="button secondary"
          disabled={test.isPending}
          onClick={() => {
            setShowLog(true);
            test.mutate();
          }}
        >
          {test.isPending ? 'Sending…' : 'Send test event'}
        </button>
        <button
          type="button"
          className="button secondary"
          aria-expanded={showLog}
          onClick={() => {
            setShowLog((shown) => !shown);
          }}
        >
          {showLog ? 'Hide delivery log' : 'Delivery log'}
        </button>
        <button
          type="button"
          className="button secondary"
          aria-expanded={showSecret}
          onClick={() => {
            setShowSecret((shown) => !shown);
          }}
        >
          {showSecret ? 'Hide secret' : 'Reveal secret'}
        </button>
        {!endpoint.disabledReason && (
          <button
            type="button"
            className="button secondary"
            disabled={update.isPending}
            onClick={() => {
              update.mutate({ active: !endpoint.active });
            }}
          >
            {endpoint.active ? 'Pause' : 'Resume'}
          </button>
        )}
        <button
          type="button"
          className="button link"
          aria-label={`Delete the webhook ${name}`}
          disabled={remove.isPending}
          onClick={() => {
            if (window.confirm(`Delete the webhook to ${endpoint.url} and its delivery log?`)) {
              remove.mutate(endpoint.id);
            }
          }}
        >
          Delete
        </button>
      </div>
      {test.data && (
        <p className="muted small" role="status" data-testid="webhook-test-result">
          Test event {test.data.status === 'delivered' ? 'delivered' : 'failed'}
          {test.data.lastStatusCode !== null && ` (answered ${test.data.lastStatusCode})`}
          {test.data.lastStatusCode === null && test.data.lastError && `: ${test.data.lastError}`}
        </p>
      )}
      {[update, remove, rotate, test].map(
        (mutation, index) =>
          mutation.isError && (
            <ErrorNotice key={index} error={mutation.error} title="That did not work" />
          ),
      )}
      {showSecret && (
        <div className="stack">
          {secret.isPending && <p className="muted">Loading the secret…</p>}
          {secret.isError && (
            <ErrorNotice
              error={secret.error}
              title="Could not load the secret"
              onRetry={() => void secret.refetch()}
            />
          )}
          {secret.data && <WebhookSecret secret={secret.data.secret} />}
          <div>
            <button
              type="button"
              className="button link"
              disabled={rotate.isPending}
              onClick={() => {
                if (
                  window.confirm(
                    'Replace the secret now? Deliveries are signed with the new one at once: update your receiver.',
                  )
                ) {
                  rotate.mutate();
                }
              }}
            >
              Rotate secret
            </button>
          </div>
        </div>
      )}
      {showLog && <WebhookDeliveries businessId={businessId} endpointId={endpoint.id} />}
    </li>
  );
}
