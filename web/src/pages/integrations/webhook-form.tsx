// Adds a webhook endpoint: its URL, a note, and the events it hears (checkboxes). Checked here
// first, so a missing URL or no event is said beside its field; the server's refusal (a private
// address, plain http) is shown the same way. The new secret is handed to `onCreated` to show once.
import { type SubmitEvent, useState } from 'react';

import { ApiError } from '../../api/errors';
import { ErrorNotice } from '../../components/error-notice';
import { Field } from '../../components/ui';
import {
  useCreateWebhook,
  WEBHOOK_EVENT_TYPES,
  type WebhookEndpointWithSecret,
  type WebhookEventType,
} from './webhook-queries';

function isWebAddress(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

export function WebhookForm(props: {
  businessId: string;
  onCreated: (endpoint: WebhookEndpointWithSecret) => void;
  onCancel: () => void;
}) {
  const create = useCreateWebhook(props.businessId);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<WebhookEventType[]>(['content.published']);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const serverErrors = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  const fieldError = (name: string) => errors[name] ?? serverErrors[name];
  const otherError =
    create.error && !(create.error instanceof ApiError && Object.keys(serverErrors).length > 0);

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!isWebAddress(url.trim())) found.url = 'Enter an address starting with https://';
    if (types.length === 0) found.eventTypes = 'Choose at least one event.';
    setErrors(found);
    if (Object.keys(found).length > 0 || create.isPending) return;
    create.mutate(
      { url: url.trim(), description: description.trim(), eventTypes: types },
      { onSuccess: props.onCreated },
    );
  }

  return (
    <form className="card webhook-form" onSubmit={submit} noValidate aria-label="New webhook">
      <h3>New webhook endpoint</h3>
      <Field
        label="Endpoint URL"
        hint="Herald POSTs signed JSON here. It must be https and reachable from the internet."
        error={fieldError('url')}
      >
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            type="url"
            inputMode="url"
            placeholder="https://example.com/hooks/herald"
            value={url}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onChange={(event) => {
              setUrl(event.target.value);
            }}
          />
        )}
      </Field>
      <Field label="Description (optional)" error={fieldError('description')}>
        {({ id, describedBy }) => (
          <input
            id={id}
            type="text"
            maxLength={500}
            placeholder="CRM sync"
            value={description}
            aria-describedby={describedBy}
            onChange={(event) => {
              setDescription(event.target.value);
            }}
          />
        )}
      </Field>
      <fieldset className="webhook-events" aria-describedby="webhook-events-error">
        <legend>Events to send</legend>
        {WEBHOOK_EVENT_TYPES.map((option) => (
          <label key={option.type} className="webhook-event">
            <input
              type="checkbox"
              checked={types.includes(option.type)}
              onChange={(event) => {
                setTypes((current) =>
                  event.target.checked
                    ? [...current, option.type]
                    : current.filter((type) => type !== option.type),
                );
              }}
            />
            <span>
              {option.label} <code className="muted small">{option.type}</code>
            </span>
          </label>
        ))}
        {fieldError('eventTypes') && (
          <p className="field-error" id="webhook-events-error" role="alert">
            {fieldError('eventTypes')}
          </p>
        )}
      </fieldset>
      {otherError && <ErrorNotice error={create.error} title="Could not add the endpoint" />}
      <div className="form-actions">
        <button type="submit" className="button" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add endpoint'}
        </button>
        <button type="button" className="button secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
