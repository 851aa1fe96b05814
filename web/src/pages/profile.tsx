// The brand profile: the context every AI prompt is built from. Channels switch on and off at
// once (optimistically, rolled back if the server refuses); the rest saves with the form.
import { type SubmitEvent, useState } from 'react';

import { useApi } from '../api/context';
import { ApiError } from '../api/errors';
import { type Business, keys, updateBusiness, useUpdateBusiness } from '../api/queries';
import { ErrorNotice } from '../components/error-notice';
import { checkTimeZone, TimeZoneField } from '../components/time-zone-field';
import { Field, PageHeader } from '../components/ui';
import { parseMoney } from '../format/money';
import { useDocumentTitle } from '../hooks/use-document-title';
import { can } from '../state/business-permissions';
import { useOptimisticMutation } from '../state/optimistic';
import { BrandVoiceAssistant } from './brand-voice';
import { useScopedBusiness } from './business-scope';

const CHANNELS = [
  { value: 'linkedin', label: 'LinkedIn' },
  { value: 'x', label: 'X' },
  { value: 'instagram', label: 'Instagram' },
  { value: 'facebook', label: 'Facebook' },
  { value: 'email', label: 'Email' },
  { value: 'blog', label: 'Blog' },
  { value: 'search_ads', label: 'Search ads' },
] as const;
type Channel = (typeof CHANNELS)[number]['value'];

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
const words = (text: string) =>
  text
    .split(',')
    .map((word) => word.trim())
    .filter(Boolean);

interface ProfileForm {
  name: string;
  industry: string;
  audience: string;
  goals: string;
  products: string;
  tone: string;
  wordsToUse: string;
  wordsToAvoid: string;
  timezone: string;
  senderName: string;
  senderEmail: string;
  budget: string;
}

function formOf(business: Business): ProfileForm {
  return {
    name: business.name,
    industry: business.industry,
    audience: business.audience,
    goals: business.goals.join('\n'),
    products: business.products
      .map((product) =>
        product.description ? `${product.name}: ${product.description}` : product.name,
      )
      .join('\n'),
    tone: business.brandVoice.tone,
    wordsToUse: business.brandVoice.wordsToUse.join(', '),
    wordsToAvoid: business.brandVoice.wordsToAvoid.join(', '),
    timezone: business.timezone,
    senderName: business.defaultSender?.name ?? '',
    senderEmail: business.defaultSender?.email ?? '',
    budget: business.aiDailyBudgetUsd === null ? '' : String(business.aiDailyBudgetUsd),
  };
}

export function ProfilePage() {
  const business = useScopedBusiness();
  useDocumentTitle('Brand profile', business.name);
  return (
    <>
      <PageHeader
        title={business.name}
        description="The brand profile Herald writes from. The more specific, the better the drafts."
      />
      <div className="grid-two">
        {/* A voice applied from the assistant refreshes the form; channel toggles do not. */}
        <ProfileFormCard
          key={`${business.id}:${JSON.stringify(business.brandVoice)}`}
          business={business}
        />
        <div className="stack">
          <ChannelsCard business={business} />
          {can(business, 'business.manage') && <BrandVoiceAssistant business={business} />}
        </div>
      </div>
    </>
  );
}

/** Said instead of the controls a member's role does not have. */
function ManagersOnly({ what }: { what: string }) {
  return (
    <p className="muted small" data-testid="managers-only">
      Only the business’s owners and admins can change {what}.
    </p>
  );
}

function ProfileFormCard({ business }: { business: Business }) {
  const update = useUpdateBusiness(business.id);
  const manage = can(business, 'business.manage');
  const [form, setForm] = useState(() => formOf(business));
  const [saved, setSaved] = useState(false);
  const [checked, setChecked] = useState<Record<string, string>>({});
  const fields = {
    ...(update.error instanceof ApiError ? update.error.fieldErrors() : {}),
    ...checked,
  };
  const fieldError = (...names: string[]) =>
    names.map((name) => fields[name]).find((message) => message !== undefined);

  function bind(name: keyof ProfileForm) {
    return {
      value: form[name],
      onChange: (event: { target: { value: string } }) => {
        setSaved(false);
        setForm((current) => ({ ...current, [name]: event.target.value }));
      },
    };
  }

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const zone = checkTimeZone(form.timezone);
    const budget = parseMoney(form.budget);
    const problems: Record<string, string> = {};
    if ('error' in zone) problems.timezone = zone.error;
    if (!budget.ok) problems.aiDailyBudgetUsd = budget.error;
    setChecked(problems);
    if ('error' in zone || !budget.ok) return;
    const sender =
      form.senderName.trim() && form.senderEmail.trim()
        ? { name: form.senderName.trim(), email: form.senderEmail.trim() }
        : null;
    update.mutate(
      {
        name: form.name,
        industry: form.industry,
        audience: form.audience,
        goals: lines(form.goals),
        products: lines(form.products).map((line) => {
          const [name = line, ...rest] = line.split(':');
          const description = rest.join(':').trim();
          return description ? { name: name.trim(), description } : { name: name.trim() };
        }),
        brandVoice: {
          tone: form.tone,
          wordsToUse: words(form.wordsToUse),
          wordsToAvoid: words(form.wordsToAvoid),
        },
        timezone: zone.zone,
        defaultSender: sender,
        aiDailyBudgetUsd: budget.cents === null ? null : budget.cents / 100,
      },
      {
        onSuccess: (next) => {
          setForm(formOf(next));
          setSaved(true);
        },
      },
    );
  }

  return (
    <form className="card form" onSubmit={submit} aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      {!manage && <ManagersOnly what="the brand profile" />}
      <fieldset className="fieldset-plain" disabled={!manage}>
        <Field label="Business name" error={fieldError('name')}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              required
              maxLength={120}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              {...bind('name')}
            />
          )}
        </Field>
        <Field label="Industry" error={fieldError('industry')}>
          {({ id, describedBy }) => (
            <input id={id} maxLength={120} aria-describedby={describedBy} {...bind('industry')} />
          )}
        </Field>
        <Field
          label="Audience"
          hint="Who buys from you, what they care about, where they spend time"
          error={fieldError('audience')}
        >
          {({ id, describedBy }) => (
            <textarea id={id} rows={3} aria-describedby={describedBy} {...bind('audience')} />
          )}
        </Field>
        <Field label="Products" hint="One per line; “Name: short description”">
          {({ id, describedBy }) => (
            <textarea id={id} rows={3} aria-describedby={describedBy} {...bind('products')} />
          )}
        </Field>
        <Field label="Goals" hint="One per line, e.g. “Fill weekday lunch tables”">
          {({ id, describedBy }) => (
            <textarea id={id} rows={3} aria-describedby={describedBy} {...bind('goals')} />
          )}
        </Field>
        <fieldset>
          <legend>Brand voice</legend>
          <Field label="Tone" hint="e.g. warm, plain-spoken, a little playful">
            {({ id, describedBy }) => (
              <input id={id} maxLength={300} aria-describedby={describedBy} {...bind('tone')} />
            )}
          </Field>
          <Field label="Words to use" hint="Separated by commas">
            {({ id, describedBy }) => (
              <input id={id} aria-describedby={describedBy} {...bind('wordsToUse')} />
            )}
          </Field>
          <Field label="Words to avoid" hint="Separated by commas">
            {({ id, describedBy }) => (
              <input id={id} aria-describedby={describedBy} {...bind('wordsToAvoid')} />
            )}
          </Field>
        </fieldset>
        <fieldset>
          <legend>Email sender</legend>
          <Field label="Sender name" error={fieldError('defaultSender.name')}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                aria-invalid={invalid}
                aria-describedby={describedBy}
                {...bind('senderName')}
              />
            )}
          </Field>
          <Field label="Sender email" error={fieldError('defaultSender.email', 'defaultSender')}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="email"
                aria-invalid={invalid}
                aria-describedby={describedBy}
                {...bind('senderEmail')}
              />
            )}
          </Field>
        </fieldset>
        <TimeZoneField
          value={form.timezone}
          onChange={(timezone) => {
            bind('timezone').onChange({ target: { value: timezone } });
          }}
          error={fieldError('timezone')}
          hint="Posts and emails are scheduled on its clocks"
        />
        <Field
          label="Daily AI budget (USD)"
          hint="In US dollars, e.g. $5 or 2.50; leave empty to use the server’s default"
          error={fieldError('aiDailyBudgetUsd')}
        >
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              inputMode="decimal"
              aria-invalid={invalid}
              aria-describedby={describedBy}
              {...bind('budget')}
            />
          )}
        </Field>
      </fieldset>
      {update.isError && Object.keys(fields).length === 0 && (
        <ErrorNotice error={update.error} title="The profile was not saved" />
      )}
      {manage && (
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={update.isPending}>
            {update.isPending ? 'Saving…' : 'Save profile'}
          </button>
          {saved && (
            <span className="saved" role="status">
              Saved
            </span>
          )}
        </div>
      )}
    </form>
  );
}

function ChannelsCard({ business }: { business: Business }) {
  const api = useApi();
  const toggle = useOptimisticMutation<Business, Channel[]>({
    queryKey: keys.business(business.id),
    mutationFn: (channels) => updateBusiness(api, business.id, { channels }),
    apply: (current, channels) => ({ ...current, channels }),
  });
  const active = new Set(business.channels);
  const manage = can(business, 'business.manage');

  return (
    <section className="card" aria-labelledby="channels-title">
      <h2 id="channels-title">Channels</h2>
      <p className="muted small">
        Where this business publishes.{manage ? ' Changes save at once.' : ''}
      </p>
      {!manage && <ManagersOnly what="the channels" />}
      <div className="chips" role="group" aria-labelledby="channels-title">
        {CHANNELS.map((channel) => {
          const on = active.has(channel.value);
          return (
            <button
              key={channel.value}
              type="button"
              className={`chip${on ? ' on' : ''}`}
              aria-pressed={on}
              disabled={!manage}
              onClick={() => {
                const next = CHANNELS.map((c) => c.value).filter((value) =>
                  value === channel.value ? !on : active.has(value),
                );
                toggle.mutate(next);
              }}
            >
              {channel.label}
            </button>
          );
        })}
      </div>
      {toggle.isError && (
        <ErrorNotice
          error={toggle.error}
          title="The channels were not changed"
          onRetry={() => {
            toggle.reset();
          }}
        />
      )}
    </section>
  );
}
