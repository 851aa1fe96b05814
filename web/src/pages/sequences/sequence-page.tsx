// One sequence: its status with activate / pause / resume / archive (shown at once, put back if
// the server refuses), its steps with the step editor, enrollment of subscribers, and the most
// recent enrollments.
import './sequences.css';

import { type SubmitEvent, useState } from 'react';
import { Link, useParams } from 'react-router';

import { ApiError } from '../../api/errors';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, Field, Skeleton, StatusBadge } from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { can, refusalMessage } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import { EnrollCard, RecentEnrollments } from './enrollment-cards';
import {
  ACTIONS,
  actionsFor,
  type Sequence,
  useRemoveStep,
  useRenameSequence,
  useSequence,
  useSequenceAction,
} from './sequence-queries';
import { StepAbTest } from './step-ab-test';
import { StepEditor } from './step-editor';
import { describeTiming } from './step-form';
import { TriggerCard } from './trigger-card';
import { describeTrigger } from './trigger-form';
import { WaitFlow, WaitStepEditor } from './wait-step-editor';

export function SequencePage() {
  const business = useScopedBusiness();
  const { sequenceId = '' } = useParams();
  const sequence = useSequence(business.id, sequenceId);
  useDocumentTitle(sequence.data?.name ?? 'Email sequence', business.name);

  if (sequence.isPending) return <Skeleton lines={6} height={32} label="Loading the sequence…" />;
  if (sequence.isError) {
    if (sequence.error instanceof ApiError && [400, 404].includes(sequence.error.status)) {
      return (
        <EmptyState
          title="Sequence not found"
          action={{ label: 'See all sequences', to: `/businesses/${business.id}/sequences` }}
        >
          <p>It may have been deleted.</p>
        </EmptyState>
      );
    }
    return (
      <ErrorNotice
        error={sequence.error}
        title="Could not load the sequence"
        onRetry={() => void sequence.refetch()}
      />
    );
  }
  return <SequenceView sequence={sequence.data} timezone={business.timezone} />;
}

function SequenceView({ sequence, timezone }: { sequence: Sequence; timezone: string }) {
  const { businessId } = sequence;
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb small">
        <Link to={`/businesses/${businessId}/sequences`}>Sequences</Link> /
      </nav>
      <SequenceHeader sequence={sequence} />
      <div className="stack">
        <TriggerCard sequence={sequence} />
        <Steps sequence={sequence} timezone={timezone} />
        <div className="grid-two">
          <EnrollCard sequence={sequence} />
          <RecentEnrollments sequence={sequence} />
        </div>
      </div>
    </>
  );
}

function SequenceHeader({ sequence }: { sequence: Sequence }) {
  const business = useScopedBusiness();
  const action = useSequenceAction(sequence.businessId, sequence.id);
  const [renaming, setRenaming] = useState(false);
  // Activating and resuming start sending: approvers only. A viewer changes nothing.
  const actions = actionsFor(sequence.status, business.permissions);
  const writes = can(business, 'content.write');
  const refused = refusalMessage(action.error);
  return (
    <header className="page-header">
      <div>
        {renaming ? (
          <RenameForm
            sequence={sequence}
            onDone={() => {
              setRenaming(false);
            }}
          />
        ) : (
          <h1>
            {sequence.name}{' '}
            {writes && (
              <button
                type="button"
                className="button link small"
                onClick={() => {
                  setRenaming(true);
                }}
              >
                Rename
              </button>
            )}
          </h1>
        )}
        <p className="muted">
          <span data-testid="sequence-status">
            <StatusBadge status={sequence.status} />
          </span>{' '}
          {sequence.steps.length} step{sequence.steps.length === 1 ? '' : 's'} ·{' '}
          {describeTrigger(sequence.trigger)}
        </p>
        {action.isError &&
          (refused ? (
            <div className="notice warning" role="alert" data-testid="sequence-forbidden">
              <strong className="notice-title">The status was not changed</strong>
              <p>{refused}</p>
            </div>
          ) : (
            <ErrorNotice error={action.error} title="The status was not changed" />
          ))}
        {writes &&
          !can(business, 'content.approve') &&
          (sequence.status === 'draft' || sequence.status === 'paused') && (
            <p className="muted small" data-testid="needs-approver">
              An owner, an admin or an approver of this business starts it sending.
            </p>
          )}
      </div>
      <div className="page-actions">
        {actions.map((name) => (
          <button
            key={name}
            type="button"
            className={`button ${name === 'activate' || name === 'resume' ? 'primary' : 'secondary'}`}
            disabled={action.isPending}
            onClick={() => {
              action.mutate(name);
            }}
          >
            {ACTIONS[name].label}
          </button>
        ))}
        <Link
          className="button secondary"
          to={`/businesses/${sequence.businessId}/sequences/${sequence.id}/analytics`}
        >
          Analytics
        </Link>
      </div>
    </header>
  );
}

function RenameForm({ sequence, onDone }: { sequence: Sequence; onDone: () => void }) {
  const rename = useRenameSequence(sequence.businessId, sequence.id);
  const [name, setName] = useState(sequence.name);
  function submit(event: SubmitEvent) {
    event.preventDefault();
    rename.mutate(name, { onSuccess: onDone });
  }
  return (
    <form className="form-actions" onSubmit={submit}>
      <Field label="Sequence name" error={rename.isError ? rename.error.message : undefined}>
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            required
            maxLength={200}
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
      <button type="submit" className="button primary" disabled={rename.isPending}>
        Save
      </button>
      <button type="button" className="button secondary" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}

function Steps({ sequence, timezone }: { sequence: Sequence; timezone: string }) {
  // A step id, or 'new' / 'new-wait' for the step being added.
  const [editing, setEditing] = useState<string | null>(() =>
    sequence.steps.length === 0 ? 'new' : null,
  );
  const remove = useRemoveStep(sequence.businessId, sequence.id);
  const steps = [...sequence.steps].sort((a, b) => a.position - b.position);
  return (
    <section aria-labelledby="steps-title" className="stack">
      <h2 id="steps-title">Steps</h2>
      {sequence.status === 'active' && (
        <p className="notice info small" role="status">
          This sequence is sending. A saved change applies to every email not sent yet.
        </p>
      )}
      {steps.length === 0 && editing !== 'new' && (
        <EmptyState title="No steps yet" testId="steps-empty">
          <p>Add the first email; it can go out right after a subscriber is enrolled.</p>
        </EmptyState>
      )}
      <ol className="step-list">
        {steps.map((step, index) => (
          <li key={step.id} data-testid="step">
            {editing === step.id && step.kind === 'wait_for_event' ? (
              <WaitStepEditor
                businessId={sequence.businessId}
                sequenceId={sequence.id}
                step={step}
                position={index}
                stepCount={steps.length}
                onDone={() => {
                  setEditing(null);
                }}
              />
            ) : editing === step.id ? (
              <StepEditor
                businessId={sequence.businessId}
                sequenceId={sequence.id}
                timezone={timezone}
                step={step}
                position={index}
                onDone={() => {
                  setEditing(null);
                }}
              />
            ) : (
              <div className="card step-card">
                <div>
                  <span className="step-number" aria-hidden="true">
                    {index + 1}
                  </span>
                  {step.kind === 'wait_for_event' && step.waitFor ? (
                    <WaitFlow
                      wait={step.waitFor}
                      position={index}
                      isLast={index === steps.length - 1}
                    />
                  ) : (
                    <strong>{step.subject}</strong>
                  )}
                  <div className="muted small">
                    {step.kind === 'wait_for_event'
                      ? describeTiming(step, index, timezone).replace(/^Sends/, 'Starts waiting')
                      : describeTiming(step, index, timezone)}
                  </div>
                </div>
                <div className="form-actions">
                  <button
                    type="button"
                    className="button secondary"
                    aria-label={`Edit step ${String(index + 1)}`}
                    onClick={() => {
                      setEditing(step.id);
                    }}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    className="button link"
                    aria-label={`Remove step ${String(index + 1)}`}
                    disabled={remove.isPending}
                    onClick={() => {
                      const what =
                        step.kind === 'wait_for_event' ? 'the wait' : `“${step.subject}”`;
                      if (window.confirm(`Remove step ${String(index + 1)}, ${what}?`)) {
                        remove.mutate(step.id);
                      }
                    }}
                  >
                    Remove
                  </button>
                </div>
              </div>
            )}
            {editing !== step.id && step.kind === 'email' && (
              <StepAbTest businessId={sequence.businessId} sequenceId={sequence.id} step={step} />
            )}
          </li>
        ))}
        {editing === 'new-wait' && (
          <li>
            <WaitStepEditor
              businessId={sequence.businessId}
              sequenceId={sequence.id}
              step={null}
              position={steps.length}
              stepCount={steps.length + 1}
              onDone={() => {
                setEditing(null);
              }}
            />
          </li>
        )}
        {editing === 'new' && (
          <li>
            <StepEditor
              businessId={sequence.businessId}
              sequenceId={sequence.id}
              timezone={timezone}
              step={null}
              position={steps.length}
              onDone={() => {
                setEditing(null);
              }}
            />
          </li>
        )}
      </ol>
      {remove.isError && <ErrorNotice error={remove.error} title="The step was not removed" />}
      {editing === null && sequence.status !== 'archived' && (
        <p className="form-actions">
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              setEditing('new');
            }}
          >
            Add a step
          </button>
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              setEditing('new-wait');
            }}
          >
            Add a wait for an event
          </button>
        </p>
      )}
    </section>
  );
}
