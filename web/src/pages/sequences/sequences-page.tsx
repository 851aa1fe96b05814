// The business's email sequences: status, steps and enrollments at a glance, a new empty
// sequence by name, or a whole draft written by the AI in the brand voice.
import './sequences.css';

import { type SubmitEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';

import { ApiError } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import {
  EmptyState,
  Field,
  formatDateTime,
  PageHeader,
  Skeleton,
  StatusBadge,
} from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useScopedBusiness } from '../business-scope';
import { DraftWithAi } from './draft-with-ai';
import { useCreateSequence, useSequences } from './sequence-queries';

export function SequencesPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Email sequences', business.name);
  const sequences = useSequences(business.id);
  const [creating, setCreating] = useState(false);
  const items = sequences.data?.items ?? [];

  return (
    <>
      <PageHeader
        title="Email sequences"
        description="Drip emails sent to each subscriber step by step, once each, in your send windows."
        actions={
          <>
            {!creating && (
              <button
                type="button"
                className="button primary"
                onClick={() => {
                  setCreating(true);
                }}
              >
                New sequence
              </button>
            )}
            <Link className="button secondary" to={`/businesses/${business.id}/subscribers`}>
              Subscribers
            </Link>
          </>
        }
      />
      {creating && (
        <CreateSequenceForm
          businessId={business.id}
          onCancel={() => {
            setCreating(false);
          }}
        />
      )}
      <div className="seq-columns">
        <div className="stack">
          {sequences.isPending && <Skeleton lines={4} height={48} label="Loading sequences…" />}
          {sequences.isError && (
            <ErrorNotice
              error={sequences.error}
              title="Could not load the sequences"
              onRetry={() => void sequences.refetch()}
            />
          )}
          {sequences.isSuccess && items.length === 0 && (
            <EmptyState title="No sequences yet" testId="sequences-empty">
              <p>
                A sequence is a series of emails: a welcome, a tip two days later, an offer after a
                week. Start from a name, or let Herald draft the whole series for you.
              </p>
            </EmptyState>
          )}
          {items.length > 0 && (
            <DataTable
              label="Sequences"
              rows={items}
              rowKey={(sequence) => sequence.id}
              rowTestId="sequence-row"
              columns={[
                {
                  header: 'Sequence',
                  cell: (sequence) => (
                    <>
                      <Link to={`/businesses/${business.id}/sequences/${sequence.id}`}>
                        {sequence.name}
                      </Link>
                      {sequence.trigger.type === 'event' && (
                        <div className="muted small">On event “{sequence.trigger.event}”</div>
                      )}
                      {sequence.trigger.type === 'segment' && (
                        <div className="muted small">On entering a segment</div>
                      )}
                    </>
                  ),
                },
                { header: 'Status', cell: (sequence) => <StatusBadge status={sequence.status} /> },
                { header: 'Steps', className: 'number', cell: (sequence) => sequence.stepCount },
                {
                  header: 'Enrolled',
                  className: 'number',
                  cell: (sequence) => sequence.enrolled.toLocaleString(),
                },
                {
                  header: 'Updated',
                  className: 'hide-narrow',
                  cell: (sequence) => formatDateTime(sequence.updatedAt),
                },
              ]}
            />
          )}
        </div>
        <DraftWithAi businessId={business.id} />
      </div>
    </>
  );
}

function CreateSequenceForm(props: { businessId: string; onCancel: () => void }) {
  const create = useCreateSequence(props.businessId);
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const fields = create.error instanceof ApiError ? create.error.fieldErrors() : {};

  function submit(event: SubmitEvent) {
    event.preventDefault();
    create.mutate(name, {
      onSuccess: (sequence) => {
        void navigate(`/businesses/${props.businessId}/sequences/${sequence.id}`);
      },
    });
  }

  return (
    <form className="card form" onSubmit={submit} aria-labelledby="new-sequence-title">
      <h2 id="new-sequence-title">New sequence</h2>
      <Field
        label="Sequence name"
        hint="Subscribers never see it, for example “Welcome series”"
        error={fields.name}
      >
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
      {create.isError && Object.keys(fields).length === 0 && (
        <ErrorNotice error={create.error} title="The sequence was not created" />
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create sequence'}
        </button>
        <button type="button" className="button secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
