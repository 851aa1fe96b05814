// The enrollment side of a sequence's page: the form that enrolls subscribers (everyone, a
// search, or an attribute value) and the table of the most recent enrollments.
import { type SubmitEvent, useState } from 'react';

import { ErrorNotice } from '../../components/error-notice';
import { Field, formatDateTime, Skeleton, StatusBadge } from '../../components/ui';
import { type Sequence, useEnroll, useEnrollments } from './sequence-queries';

type Audience = 'all' | 'search' | 'attribute';

export function EnrollCard({ sequence }: { sequence: Sequence }) {
  const enroll = useEnroll(sequence.businessId, sequence.id);
  const [audience, setAudience] = useState<Audience>('all');
  const [search, setSearch] = useState('');
  const [attribute, setAttribute] = useState('');
  const [value, setValue] = useState('');
  const archived = sequence.status === 'archived';

  function submit(event: SubmitEvent) {
    event.preventDefault();
    enroll.mutate({
      filter:
        audience === 'all'
          ? { all: true }
          : audience === 'search'
            ? { search: search.trim() }
            : { attribute: { name: attribute.trim(), equals: value } },
    });
  }

  return (
    <form className="card form" onSubmit={submit} aria-labelledby="enroll-title">
      <h2 id="enroll-title">Enroll subscribers</h2>
      <p className="muted small">
        Only subscribed addresses that are not suppressed are enrolled; anyone already in this
        sequence is skipped. {sequence.status !== 'active' && 'Nothing is sent until it is active.'}
      </p>
      <fieldset>
        <legend>Who</legend>
        {(
          [
            ['all', 'Every subscribed subscriber'],
            ['search', 'Those whose email or name contains…'],
            ['attribute', 'Those with an attribute equal to…'],
          ] as const
        ).map(([option, label]) => (
          <label key={option} className="checkbox">
            <input
              type="radio"
              name="audience"
              value={option}
              checked={audience === option}
              onChange={() => {
                setAudience(option);
              }}
            />{' '}
            {label}
          </label>
        ))}
        {audience === 'search' && (
          <Field label="Contains">
            {({ id }) => (
              <input
                id={id}
                required
                value={search}
                onChange={(event) => {
                  setSearch(event.target.value);
                }}
              />
            )}
          </Field>
        )}
        {audience === 'attribute' && (
          <div className="seq-row">
            <Field label="Attribute">
              {({ id }) => (
                <input
                  id={id}
                  required
                  maxLength={64}
                  value={attribute}
                  onChange={(event) => {
                    setAttribute(event.target.value);
                  }}
                />
              )}
            </Field>
            <Field label="Equals">
              {({ id }) => (
                <input
                  id={id}
                  value={value}
                  onChange={(event) => {
                    setValue(event.target.value);
                  }}
                />
              )}
            </Field>
          </div>
        )}
      </fieldset>
      {enroll.isError && <ErrorNotice error={enroll.error} title="Nobody was enrolled" />}
      {enroll.isSuccess && (
        <p className="saved" role="status" data-testid="enroll-result">
          {enroll.data.enrolled.toLocaleString()} enrolled
          {enroll.data.skipped > 0 ? `, ${enroll.data.skipped.toLocaleString()} skipped` : ''}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={enroll.isPending || archived}>
          {enroll.isPending ? 'Enrolling…' : 'Enroll'}
        </button>
      </div>
    </form>
  );
}

export function RecentEnrollments({ sequence }: { sequence: Sequence }) {
  const enrollments = useEnrollments(sequence.businessId, sequence.id);
  const items = enrollments.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="enrollments-title">
      <h2 id="enrollments-title">Recent enrollments</h2>
      {enrollments.isPending && <Skeleton lines={3} label="Loading enrollments…" />}
      {enrollments.isError && (
        <ErrorNotice
          error={enrollments.error}
          title="Could not load the enrollments"
          onRetry={() => void enrollments.refetch()}
        />
      )}
      {enrollments.isSuccess && items.length === 0 && (
        <p className="muted" data-testid="enrollments-empty">
          Nobody is enrolled yet.
        </p>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Recent enrollments">
            <thead>
              <tr>
                <th scope="col">Subscriber</th>
                <th scope="col">Status</th>
                <th scope="col">Next email</th>
              </tr>
            </thead>
            <tbody>
              {items.map((enrollment) => (
                <tr key={enrollment.id} data-testid="enrollment-row">
                  <td className="break">{enrollment.email}</td>
                  <td>
                    <StatusBadge status={enrollment.status} />
                  </td>
                  <td>
                    {enrollment.status !== 'active'
                      ? '—'
                      : enrollment.waitingUntil
                        ? `Step ${String(enrollment.nextStepIndex + 1)}: waiting until ${formatDateTime(enrollment.waitingUntil)}`
                        : `Step ${String(enrollment.nextStepIndex + 1)}, ${formatDateTime(enrollment.nextSendAt)}`}
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
