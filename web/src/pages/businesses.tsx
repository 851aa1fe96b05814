// The businesses the user belongs to, with their role in each, and creating a new one (name,
// industry, time zone; the rest of the brand profile is filled in on its own page).
import { type SubmitEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';

import { ApiError } from '../api/errors';
import { useBusinesses, useCreateBusiness } from '../api/queries';
import { ErrorNotice } from '../components/error-notice';
import { checkTimeZone, TimeZoneField } from '../components/time-zone-field';
import { EmptyState, Field, PageHeader, Skeleton } from '../components/ui';
import { roleLabel } from '../format/roles';
import { browserTimeZone } from '../format/time-zones';
import { useDocumentTitle } from '../hooks/use-document-title';
import { rememberBusiness } from '../state/active-business';
import { platformLabel } from './campaigns/queries';

export function BusinessesPage() {
  useDocumentTitle('Businesses');
  const businesses = useBusinesses();
  const [creating, setCreating] = useState(false);
  const items = businesses.data?.items ?? [];
  const showForm = creating || (businesses.isSuccess && items.length === 0);

  return (
    <>
      <PageHeader
        title="Businesses"
        description="Each business has its own brand profile, campaigns, content and AI budget."
        actions={
          !showForm && (
            <button
              type="button"
              className="button primary"
              onClick={() => {
                setCreating(true);
              }}
            >
              New business
            </button>
          )
        }
      />
      {businesses.isPending && <Skeleton lines={4} height={48} label="Loading your businesses…" />}
      {businesses.isError && (
        <ErrorNotice
          error={businesses.error}
          title="Could not load your businesses"
          onRetry={() => void businesses.refetch()}
        />
      )}
      {businesses.isSuccess && items.length === 0 && (
        <EmptyState title="Create your first business" testId="businesses-empty">
          <p>
            Start with its name: Herald builds every campaign, post and email from this profile, so
            you can add the audience, products and brand voice next.
          </p>
        </EmptyState>
      )}
      {showForm && (
        <CreateBusinessForm
          onCancel={
            items.length > 0
              ? () => {
                  setCreating(false);
                }
              : undefined
          }
        />
      )}
      {items.length > 0 && (
        <ul className="card-list" aria-label="Your businesses">
          {items.map((business) => (
            <li key={business.id} className="card business-card">
              <Link
                to={`/businesses/${business.id}/home`}
                onClick={() => {
                  rememberBusiness(business.id);
                }}
              >
                <strong>{business.name}</strong>
              </Link>
              <span className="muted">
                {business.industry || 'No industry set'} · {roleLabel(business.role)}
              </span>
              <span className="muted small">
                {business.channels.length > 0
                  ? business.channels.map(platformLabel).join(' · ')
                  : 'No channels chosen yet'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function CreateBusinessForm({ onCancel }: { onCancel: (() => void) | undefined }) {
  const create = useCreateBusiness();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [industry, setIndustry] = useState('');
  const [timezone, setTimezone] = useState(browserTimeZone);
  const [zoneProblem, setZoneProblem] = useState<string | null>(null);
  const fields = create.error instanceof ApiError ? create.error.fieldErrors() : {};

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const zone = checkTimeZone(timezone);
    if ('error' in zone) {
      setZoneProblem(zone.error);
      return;
    }
    setZoneProblem(null);
    setTimezone(zone.zone);
    create.mutate(
      { name, industry, timezone: zone.zone },
      {
        onSuccess: (business) => {
          rememberBusiness(business.id);
          void navigate(`/businesses/${business.id}/profile`);
        },
      },
    );
  }

  return (
    <form className="card form" onSubmit={submit} aria-labelledby="new-business-title">
      <h2 id="new-business-title">New business</h2>
      <Field label="Business name" error={fields.name}>
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            required
            maxLength={120}
            autoFocus
            value={name}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(event) => {
              setName(event.target.value);
            }}
          />
        )}
      </Field>
      <Field label="Industry" hint="For example: bakery, B2B software, yoga studio">
        {({ id, describedBy }) => (
          <input
            id={id}
            maxLength={120}
            value={industry}
            aria-describedby={describedBy}
            onChange={(event) => {
              setIndustry(event.target.value);
            }}
          />
        )}
      </Field>
      <TimeZoneField
        value={timezone}
        onChange={setTimezone}
        error={zoneProblem ?? fields.timezone}
        hint="Posts and emails are scheduled on its clocks"
      />
      {create.isError && Object.keys(fields).length === 0 && <ErrorNotice error={create.error} />}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create business'}
        </button>
        {onCancel && (
          <button type="button" className="button secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
