// How a sequence starts and stops: its trigger (by hand, a customer event with property
// conditions, or entering a segment) and the event that takes a customer out of it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type SubmitEvent, useState } from 'react';

import { unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { ErrorNotice } from '../../components/error-notice';
import { Field } from '../../components/ui';
import { can } from '../../state/business-permissions';
import { useScopedBusiness } from '../business-scope';
import { type Sequence, sequenceKeys } from './sequence-queries';
import {
  CONDITION_OPS,
  type ConditionOp,
  type ConditionRow,
  describeExit,
  describeTrigger,
  type EventForm,
  type EventMatch,
  type SequenceTrigger,
  type TriggerErrors,
  type TriggerForm,
  triggerPayload,
  triggerToForm,
} from './trigger-form';

function useSegmentChoices(businessId: string) {
  const api = useApi();
  return useQuery({
    queryKey: [...sequenceKeys.all(businessId), 'segment-choices'],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/businesses/{businessId}/sequences/segment-choices', {
          params: { path: { businessId } },
          signal,
        }),
      ),
  });
}

function useSaveTrigger(businessId: string, sequenceId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { trigger: SequenceTrigger; exitEvent: EventMatch | null }) =>
      unwrap(
        api.PATCH('/api/v1/businesses/{businessId}/sequences/{sequenceId}', {
          params: { path: { businessId, sequenceId } },
          body,
        }),
      ),
    onSuccess: (sequence) => {
      queryClient.setQueryData(sequenceKeys.one(businessId, sequenceId), sequence);
      return queryClient.invalidateQueries({ queryKey: sequenceKeys.list(businessId) });
    },
  });
}

export function TriggerCard({ sequence }: { sequence: Sequence }) {
  const business = useScopedBusiness();
  const [editing, setEditing] = useState(false);
  const segments = useSegmentChoices(sequence.businessId);
  const segmentName =
    sequence.trigger.type === 'segment'
      ? segments.data?.items.find(
          (segment) =>
            sequence.trigger.type === 'segment' && segment.id === sequence.trigger.segmentId,
        )?.name
      : undefined;
  return (
    <section className="card stack" aria-labelledby="trigger-title" data-testid="trigger-card">
      <h2 id="trigger-title">Start and stop</h2>
      {editing ? (
        <TriggerEditor
          sequence={sequence}
          onDone={() => {
            setEditing(false);
          }}
        />
      ) : (
        <>
          <p data-testid="trigger-summary">{describeTrigger(sequence.trigger, segmentName)}</p>
          <p className="muted small" data-testid="exit-summary">
            {describeExit(sequence.exitEvent)}
          </p>
          {can(business, 'content.write') && sequence.status !== 'archived' && (
            <p>
              <button
                type="button"
                className="button secondary"
                onClick={() => {
                  setEditing(true);
                }}
              >
                Change how it starts
              </button>
            </p>
          )}
        </>
      )}
    </section>
  );
}

function TriggerEditor({ sequence, onDone }: { sequence: Sequence; onDone: () => void }) {
  const [form, setForm] = useState<TriggerForm>(() =>
    triggerToForm(sequence.trigger, sequence.exitEvent),
  );
  const [errors, setErrors] = useState<TriggerErrors>({});
  const save = useSaveTrigger(sequence.businessId, sequence.id);
  const segments = useSegmentChoices(sequence.businessId);

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const result = triggerPayload(form);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    save.mutate(result.payload, { onSuccess: onDone });
  }

  return (
    <form className="stack" onSubmit={submit} noValidate>
      <Field label="Who is enrolled">
        {({ id }) => (
          <select
            id={id}
            value={form.type}
            onChange={(event) => {
              setForm({ ...form, type: event.target.value as TriggerForm['type'] });
            }}
          >
            <option value="manual">Subscribers I enroll by hand</option>
            <option value="event">Customers who do an event</option>
            <option value="segment">Customers who enter a segment</option>
          </select>
        )}
      </Field>
      {form.type === 'event' && (
        <EventFields
          legend="The event"
          value={form.start}
          error={errors.event}
          eventLabel="Event name"
          onChange={(start) => {
            setForm({ ...form, start });
          }}
        />
      )}
      {form.type === 'segment' && (
        <Field
          label="Segment"
          error={errors.segmentId}
          hint={
            segments.data?.items.length === 0
              ? 'This business has no segments yet: create one on the Segments page.'
              : undefined
          }
        >
          {({ id, describedBy, invalid }) => (
            <select
              id={id}
              value={form.segmentId}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => {
                setForm({ ...form, segmentId: event.target.value });
              }}
            >
              <option value="">
                {segments.isPending ? 'Loading segments…' : 'Choose a segment'}
              </option>
              {segments.data?.items.map((segment) => (
                <option key={segment.id} value={segment.id}>
                  {segment.name} ({segment.size} customers)
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {form.type !== 'manual' && (
        <p className="muted small">
          Only customers whose email is a subscribed address are enrolled, once per sequence.
        </p>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={form.exitEnabled}
          onChange={(event) => {
            setForm({ ...form, exitEnabled: event.target.checked });
          }}
        />{' '}
        Stop the sequence when the customer does an event
      </label>
      {form.exitEnabled && (
        <EventFields
          legend="The event that stops it"
          value={form.exit}
          error={errors.exit}
          eventLabel="Exit event name"
          onChange={(exit) => {
            setForm({ ...form, exit });
          }}
        />
      )}
      {save.isError && <ErrorNotice error={save.error} title="The trigger was not saved" />}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          Save trigger
        </button>
        <button type="button" className="button secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** An event name and its property conditions ("plan is pro"). */
export function EventFields(props: {
  legend: string;
  eventLabel: string;
  value: EventForm;
  error: string | undefined;
  onChange: (value: EventForm) => void;
}) {
  const { value, onChange } = props;
  const setRow = (index: number, row: ConditionRow) => {
    onChange({
      ...value,
      conditions: value.conditions.map((current, i) => (i === index ? row : current)),
    });
  };
  return (
    <fieldset className="stack trigger-event">
      <legend>{props.legend}</legend>
      <Field
        label={props.eventLabel}
        error={props.error}
        hint="As your app sends it, e.g. Signed Up"
      >
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            maxLength={200}
            value={value.event}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(event) => {
              onChange({ ...value, event: event.target.value });
            }}
          />
        )}
      </Field>
      {value.conditions.map((row, index) => (
        <div className="condition-row" key={index} data-testid="condition">
          <Field label="Property">
            {({ id }) => (
              <input
                id={id}
                value={row.property}
                placeholder="plan"
                onChange={(event) => {
                  setRow(index, { ...row, property: event.target.value });
                }}
              />
            )}
          </Field>
          <Field label="Condition">
            {({ id }) => (
              <select
                id={id}
                value={row.op}
                onChange={(event) => {
                  setRow(index, { ...row, op: event.target.value as ConditionOp });
                }}
              >
                {CONDITION_OPS.map((op) => (
                  <option key={op.op} value={op.op}>
                    {op.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {row.op !== 'exists' && (
            <Field label="Value">
              {({ id }) => (
                <input
                  id={id}
                  value={row.value}
                  placeholder="pro"
                  onChange={(event) => {
                    setRow(index, { ...row, value: event.target.value });
                  }}
                />
              )}
            </Field>
          )}
          <button
            type="button"
            className="button link"
            aria-label={`Remove condition ${String(index + 1)}`}
            onClick={() => {
              onChange({ ...value, conditions: value.conditions.filter((_, i) => i !== index) });
            }}
          >
            Remove
          </button>
        </div>
      ))}
      <p>
        <button
          type="button"
          className="button link"
          onClick={() => {
            onChange({
              ...value,
              conditions: [...value.conditions, { property: '', op: 'eq', value: '' }],
            });
          }}
        >
          Add a property condition
        </button>
      </p>
    </fieldset>
  );
}
