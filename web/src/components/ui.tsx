// Small building blocks every page uses: headers, skeletons, empty states and form fields
// (each field has a visible label, and its error is announced and linked to the input).
import { type ReactNode, useId } from 'react';
import { Link } from 'react-router';

import { statusLabel } from '../format/labels';

// Every page's timestamps: one helper, which names the zone.
export { formatDateTime } from '../format/date-time';

export function PageHeader(props: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.description && <p className="muted">{props.description}</p>}
      </div>
      {props.actions && <div className="page-actions">{props.actions}</div>}
    </header>
  );
}

/** Grey placeholder blocks shaped like the content that is loading. */
export function Skeleton(props: { lines?: number; height?: number; label?: string }) {
  const lines = props.lines ?? 3;
  return (
    <div className="skeleton" role="status" aria-live="polite" data-testid="skeleton">
      <span className="visually-hidden">{props.label ?? 'Loading…'}</span>
      {Array.from({ length: lines }, (_, index) => (
        <div
          key={index}
          className="skeleton-line"
          style={{ height: props.height ?? 16, width: `${100 - ((index * 17) % 40)}%` }}
        />
      ))}
    </div>
  );
}

export function EmptyState(props: {
  title: string;
  children: ReactNode;
  action?: { label: string; to: string };
  testId?: string;
}) {
  return (
    <div className="empty-state" data-testid={props.testId ?? 'empty-state'}>
      <h2>{props.title}</h2>
      <div className="muted">{props.children}</div>
      {props.action && (
        <Link className="button" to={props.action.to}>
          {props.action.label}
        </Link>
      )}
    </div>
  );
}

interface FieldProps {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

/** A labelled form control; `children` renders the input with the ids it must carry. */
export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

const PERIODS = [7, 30, 90] as const;

/** The report pages' period: the last 7, 30 or 90 days. */
export function PeriodField(props: { days: number; onChange: (days: number) => void }) {
  return (
    <Field label="Period">
      {({ id }) => (
        <select
          id={id}
          value={props.days}
          onChange={(event) => {
            props.onChange(Number(event.target.value));
          }}
        >
          {PERIODS.map((days) => (
            <option key={days} value={days}>
              Last {days} days
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{statusLabel(status)}</span>;
}

export function ProgressBar(props: { value: number; label: string }) {
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={props.value}
    >
      <div className="progress-fill" style={{ width: `${props.value}%` }} />
    </div>
  );
}
