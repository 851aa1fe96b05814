// The campaign form, for a new campaign and for editing one: name, goal, audience override,
// channels (a new campaign starts with the business's own), budget and dates. Mistakes the browser can see (no name, an end before the start,
// a budget that is not an amount) are shown on their fields before anything is sent; the
// server's own validation errors land on the same fields.
import { PLATFORMS } from '@shared/limits';
import { type SubmitEvent, useState } from 'react';

import { ApiError } from '../../api/errors';
import { ErrorNotice } from '../../components/error-notice';
import { Field } from '../../components/ui';
import { statusLabel } from '../../format/labels';
import { centsToInput, parseMoney } from '../../format/money';
import { type Campaign, type CreateCampaignInput, type Platform, PLATFORM_LABELS } from './queries';

const STATUSES = ['draft', 'active', 'paused', 'completed', 'archived'] as const;
type CampaignStatus = (typeof STATUSES)[number];

export interface CampaignFormValues {
  name: string;
  goal: string;
  audience: string;
  channels: Platform[];
  budget: string;
  startDate: string;
  endDate: string;
  status: CampaignStatus;
}

/** The form's first values: the campaign's, or for a new one the business's channels. */
export function initialValues(
  campaign?: Campaign,
  businessChannels: readonly string[] = [],
): CampaignFormValues {
  const channels = campaign ? campaign.channels : businessChannels;
  return {
    name: campaign?.name ?? '',
    goal: campaign?.goal ?? '',
    audience: campaign?.audience ?? '',
    channels: PLATFORMS.filter((platform) => channels.includes(platform)),
    budget: centsToInput(campaign?.budgetCents),
    startDate: campaign?.startDate ?? '',
    endDate: campaign?.endDate ?? '',
    status: (STATUSES as readonly string[]).includes(campaign?.status ?? '')
      ? (campaign?.status as CampaignStatus)
      : 'draft',
  };
}

/** Field errors the browser can find on its own, keyed like the server's (`endDate`, …). */
export function validateCampaign(values: CampaignFormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!values.name.trim()) errors.name = 'Give the campaign a name';
  else if (values.name.trim().length > 160) errors.name = 'At most 160 characters';
  const budget = parseMoney(values.budget);
  if (!budget.ok) errors.budgetCents = budget.error;
  if (values.startDate && values.endDate && values.endDate < values.startDate) {
    errors.endDate = 'The campaign ends before it starts';
  }
  return errors;
}

export function toCampaignInput(values: CampaignFormValues): CreateCampaignInput {
  const budget = parseMoney(values.budget);
  return {
    name: values.name.trim(),
    goal: values.goal.trim(),
    audience: values.audience.trim() || null,
    channels: values.channels,
    budgetCents: budget.ok ? budget.cents : null,
    startDate: values.startDate || null,
    endDate: values.endDate || null,
    status: values.status,
  };
}

export function CampaignForm(props: {
  title: string;
  campaign?: Campaign;
  /** The business's channels: a new campaign starts with them switched on. */
  businessChannels?: readonly string[];
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (input: CreateCampaignInput) => void;
  onCancel?: () => void;
}) {
  const [values, setValues] = useState(() => initialValues(props.campaign, props.businessChannels));
  const [checked, setChecked] = useState<Record<string, string>>({});
  const serverFields = props.error instanceof ApiError ? props.error.fieldErrors() : {};
  const fields = { ...serverFields, ...checked };
  const set = <K extends keyof CampaignFormValues>(key: K, value: CampaignFormValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
  };

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const errors = validateCampaign(values);
    setChecked(errors);
    if (Object.keys(errors).length > 0) return;
    props.onSubmit(toCampaignInput(values));
  }

  const titleId = `campaign-form-${props.campaign?.id ?? 'new'}`;
  return (
    <form className="card form" onSubmit={submit} aria-labelledby={titleId} noValidate>
      <h2 id={titleId}>{props.title}</h2>
      <Field label="Campaign name" error={fields.name}>
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            required
            maxLength={160}
            value={values.name}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(event) => {
              set('name', event.target.value);
            }}
          />
        )}
      </Field>
      <Field
        label="Goal"
        error={fields.goal}
        hint="What should it achieve? For example: 200 pre-orders of the spring menu"
      >
        {({ id, describedBy, invalid }) => (
          <textarea
            id={id}
            rows={2}
            maxLength={1000}
            value={values.goal}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(event) => {
              set('goal', event.target.value);
            }}
          />
        )}
      </Field>
      <Field
        label="Audience"
        error={fields.audience}
        hint="Leave empty to use the business’s audience"
      >
        {({ id, describedBy, invalid }) => (
          <textarea
            id={id}
            rows={2}
            maxLength={2000}
            value={values.audience}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(event) => {
              set('audience', event.target.value);
            }}
          />
        )}
      </Field>
      <fieldset>
        <legend>Channels</legend>
        {!props.campaign && (props.businessChannels?.length ?? 0) > 0 && (
          <p className="muted small">The business’s channels are on; click one to leave it out.</p>
        )}
        <div className="chips">
          {PLATFORMS.map((platform) => {
            const on = values.channels.includes(platform);
            return (
              <button
                key={platform}
                type="button"
                className={`chip${on ? ' on' : ''}`}
                aria-pressed={on}
                onClick={() => {
                  set(
                    'channels',
                    on
                      ? values.channels.filter((channel) => channel !== platform)
                      : [...values.channels, platform],
                  );
                }}
              >
                {PLATFORM_LABELS[platform]}
              </button>
            );
          })}
        </div>
        {fields.channels && (
          <p className="field-error" role="alert">
            {fields.channels}
          </p>
        )}
      </fieldset>
      <div className="form-row">
        <Field label="Start date" error={fields.startDate}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="date"
              value={values.startDate}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => {
                set('startDate', event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="End date" error={fields.endDate}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="date"
              value={values.endDate}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => {
                set('endDate', event.target.value);
              }}
            />
          )}
        </Field>
      </div>
      <div className="form-row">
        <Field label="Budget" error={fields.budgetCents} hint="In US dollars, e.g. $1,500">
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              inputMode="decimal"
              value={values.budget}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => {
                set('budget', event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Status" error={fields.status}>
          {({ id, describedBy }) => (
            <select
              id={id}
              value={values.status}
              aria-describedby={describedBy}
              onChange={(event) => {
                set('status', event.target.value as CampaignStatus);
              }}
            >
              {STATUSES.map((status) => (
                <option key={status} value={status}>
                  {statusLabel(status)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {props.error !== null &&
        props.error !== undefined &&
        Object.keys(serverFields).length === 0 && <ErrorNotice error={props.error} />}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={props.pending}>
          {props.pending ? 'Saving…' : props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" className="button secondary" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
