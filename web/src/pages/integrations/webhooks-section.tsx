// The integrations page's Webhooks section: the business's endpoints (each with its state,
// actions and delivery log), a form to add one, and the new endpoint's secret shown right away.
import './webhooks.css';

import { useState } from 'react';

import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, Skeleton } from '../../components/ui';
import { WebhookEndpointCard } from './webhook-endpoint';
import { WebhookForm } from './webhook-form';
import { useWebhooks, type WebhookEndpointWithSecret } from './webhook-queries';
import { WebhookSecret } from './webhook-secret';

export function WebhooksSection({ businessId }: { businessId: string }) {
  const webhooks = useWebhooks(businessId);
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<WebhookEndpointWithSecret | null>(null);
  const items = webhooks.data?.items ?? [];

  return (
    <section aria-labelledby="webhooks-title" className="stack" data-business={businessId}>
      <div className="toolbar">
        <h2 id="webhooks-title">Webhooks</h2>
        {!adding && (
          <button
            type="button"
            className="button"
            onClick={() => {
              setAdding(true);
              setCreated(null);
            }}
          >
            Add endpoint
          </button>
        )}
      </div>
      <p className="muted">
        Herald POSTs signed JSON to your systems when things happen: a piece published, an email
        bounced, a new customer. See docs/webhooks.md for the headers and how to verify them.
      </p>
      {adding && (
        <WebhookForm
          businessId={businessId}
          onCreated={(endpoint) => {
            setCreated(endpoint);
            setAdding(false);
          }}
          onCancel={() => {
            setAdding(false);
          }}
        />
      )}
      {created && (
        <div className="notice info" role="status" data-testid="webhook-created">
          <strong className="notice-title">Endpoint added. Copy its signing secret now</strong>
          <p>
            Your receiver checks each request’s signature with it. You can see it again later with
            “Reveal secret”.
          </p>
          <WebhookSecret secret={created.secret} />
        </div>
      )}
      {webhooks.isPending && <Skeleton lines={3} height={48} label="Loading the webhooks…" />}
      {webhooks.isError && (
        <ErrorNotice
          error={webhooks.error}
          title="Could not load the webhooks"
          onRetry={() => void webhooks.refetch()}
        />
      )}
      {webhooks.isSuccess && items.length === 0 && !adding && (
        <EmptyState title="No webhooks yet" testId="webhooks-empty">
          <p>Add an endpoint to send Herald’s events to your CRM, data warehouse or own app.</p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <ul className="webhook-list" aria-label="Webhook endpoints">
          {items.map((endpoint) => (
            <WebhookEndpointCard key={endpoint.id} businessId={businessId} endpoint={endpoint} />
          ))}
        </ul>
      )}
    </section>
  );
}
