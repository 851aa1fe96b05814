// Add or edit one subscriber: email, names, consent and custom attributes (as `name = value`
// lines, the form a marketer types; values stay strings).
import { type SubmitEvent, useState } from 'react';

import { ApiError } from '../../api/errors';
import { ErrorNotice } from '../../components/error-notice';
import { Field } from '../../components/ui';
import {
  CONSENT_STATUSES,
  type ConsentStatus,
  type Subscriber,
  useSaveSubscriber,
} from './subscriber-queries';

export function attributesToText(attributes: Record<string, unknown>): string {
  return Object.entries(attributes)
    .map(
      ([name, value]) => `${name} = ${typeof value === 'string' ? value : JSON.stringify(value)}`,
    )
    .join('\n');
}

/** `name = value` lines to an object; the first malformed line is reported. */
export function textToAttributes(
  text: string,
): { ok: true; attributes: Record<string, string> } | { ok: false; error: string } {
  const attributes: Record<string, string> = {};
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const equals = line.indexOf('=');
    const name = equals === -1 ? '' : line.slice(0, equals).trim();
    if (name === '' || name.length > 64) {
      return { ok: false, error: `Line ${String(index + 1)}: write it as name = value` };
    }
    attributes[name] = line.slice(equals + 1).trim();
  }
  return { ok: true, attributes };
}

export function SubscriberForm(props: {
  businessId: string;
  subscriber: Subscriber | null;
  onDone: () => void;
}) {
  const { subscriber } = props;
  const save = useSaveSubscriber(props.businessId);
  const [email, setEmail] = useState(subscriber?.email ?? '');
  const [firstName, setFirstName] = useState(subscriber?.firstName ?? '');
  const [lastName, setLastName] = useState(subscriber?.lastName ?? '');
  const [consent, setConsent] = useState<ConsentStatus>(subscriber?.consentStatus ?? 'subscribed');
  const [attributes, setAttributes] = useState(() =>
    attributesToText(subscriber?.attributes ?? {}),
  );
  const [attributesError, setAttributesError] = useState<string | null>(null);
  const fields = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const conflict = save.error instanceof ApiError && save.error.status === 409;
  const title = subscriber ? `Edit ${subscriber.email}` : 'New subscriber';

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const parsed = textToAttributes(attributes);
    if (!parsed.ok) {
      setAttributesError(parsed.error);
      return;
    }
    setAttributesError(null);
    const body = {
      email,
      firstName: firstName.trim() || null,
      lastName: lastName.trim() || null,
      consentStatus: consent,
      attributes: parsed.attributes,
    };
    const onSuccess = () => {
      props.onDone();
    };
    if (subscriber) {
      save.mutate({ subscriberId: subscriber.id, body }, { onSuccess });
    } else {
      save.mutate(
        {
          subscriberId: null,
          body: {
            ...body,
            firstName: body.firstName ?? undefined,
            lastName: body.lastName ?? undefined,
            source: 'dashboard',
          },
        },
        { onSuccess },
      );
    }
  }

  return (
    <form className="card form" onSubmit={submit} aria-labelledby="subscriber-form-title">
      <h2 id="subscriber-form-title">{title}</h2>
      <Field
        label="Email"
        error={fields.email ?? (conflict ? 'This address is already a subscriber' : undefined)}
      >
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            type="email"
            required
            maxLength={254}
            autoFocus
            value={email}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(event) => {
              setEmail(event.target.value);
            }}
          />
        )}
      </Field>
      <div className="seq-row">
        <Field label="First name" error={fields.firstName}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              maxLength={120}
              value={firstName}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => {
                setFirstName(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Last name" error={fields.lastName}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              maxLength={120}
              value={lastName}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => {
                setLastName(event.target.value);
              }}
            />
          )}
        </Field>
      </div>
      <Field
        label="Consent"
        hint="Only subscribed people are enrolled and emailed. Record consent you actually have."
      >
        {({ id, describedBy }) => (
          <select
            id={id}
            value={consent}
            aria-describedby={describedBy}
            onChange={(event) => {
              setConsent(event.target.value as ConsentStatus);
            }}
          >
            {CONSENT_STATUSES.map((status) => (
              <option key={status.value} value={status.value}>
                {status.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="Custom attributes"
        hint={
          <>
            One per line, as <code>name = value</code>; templates read them as{' '}
            <code>{'{{ subscriber.name }}'}</code>.
          </>
        }
        error={attributesError ?? fields.attributes}
      >
        {({ id, describedBy, invalid }) => (
          <textarea
            id={id}
            rows={3}
            value={attributes}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(event) => {
              setAttributes(event.target.value);
            }}
          />
        )}
      </Field>
      {save.isError && Object.keys(fields).length === 0 && !conflict && (
        <ErrorNotice error={save.error} title="The subscriber was not saved" />
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : subscriber ? 'Save changes' : 'Add subscriber'}
        </button>
        <button type="button" className="button secondary" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
