// A "wait for event" step: waits up to a limit for an event (e.g. Order Completed for the same
// cart as the event that started the sequence); if it happens, go to a later step or end; if
// not, the next step follows. Shown as a small flow with its two branches.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type SubmitEvent, useState } from 'react';

import { idempotencyKey, unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import { ErrorNotice } from '../../components/error-notice';
import { Field } from '../../components/ui';
import { sequenceKeys } from './sequence-queries';
import type { SequenceStep } from './step-form';
import {
  describeWait,
  type WaitForEvent,
  type WaitForm,
  waitPayload,
  waitToForm,
} from './trigger-form';

const UNITS = ['minutes', 'hours', 'days'] as const;

function useSaveWaitStep(businessId: string, sequenceId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      stepId,
      payload,
    }: {
      stepId: string | null;
      payload: Extract<ReturnType<typeof waitPayload>, { ok: true }>['payload'];
    }) =>
      stepId
        ? unwrap(
            api.PATCH('/api/v1/businesses/{businessId}/sequences/{sequenceId}/steps/{stepId}', {
              params: { path: { businessId, sequenceId, stepId } },
              body: { delay: payload.delay, waitFor: payload.waitFor },
            }),
          )
        : unwrap(
            api.POST('/api/v1/businesses/{businessId}/sequences/{sequenceId}/steps', {
              params: { path: { businessId, sequenceId } },
              body: payload,
              headers: { 'idempotency-key': idempotencyKey() },
            }),
          ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sequenceKeys.all(businessId) }),
  });
}

/** The wait as a flow: what it waits for, then its two branches. */
export function WaitFlow({
  wait,
  position,
  isLast,
}: {
  wait: WaitForEvent;
  position: number;
  isLast: boolean;
}) {
  const { waits, ifHappens } = describeWait(wait);
  return (
    <div className="wait-flow" data-testid="wait-flow">
      <strong>{waits}</strong>
      <ul className="wait-branches">
        <li>
          <span className="branch-label">If it happens:</span> {ifHappens}
        </li>
        <li>
          <span className="branch-label">If not:</span>{' '}
          {isLast ? 'the sequence ends' : `continues with step ${String(position + 2)}`}
        </li>
      </ul>
    </div>
  );
}

export function WaitStepEditor(props: {
  businessId: string;
  sequenceId: string;
  step: SequenceStep | null;
  position: number;
  stepCount: number;
  onDone: () => void;
}) {
  const { step, position } = props;
  const [form, setForm] = useState<WaitForm>(() => waitToForm(step));
  const [errors, setErrors] = useState<
    Partial<Record<'event' | 'limitValue' | 'delayValue', string>>
  >({});
  const save = useSaveWaitStep(props.businessId, props.sequenceId);
  // Steps a wait may jump to: the ones after it (the step after it is what "if not" does).
  const later = Array.from(
    { length: Math.max(0, props.stepCount - position - 1) },
    (_, i) => position + 2 + i,
  );

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const result = waitPayload(form);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    save.mutate({ stepId: step?.id ?? null, payload: result.payload }, { onSuccess: props.onDone });
  }

  return (
    <form className="card stack" onSubmit={submit} noValidate data-testid="wait-step-editor">
      <h3>Step {position + 1}: wait for an event</h3>
      <div className="condition-row">
        <Field label="Start waiting after" error={errors.delayValue}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              inputMode="numeric"
              value={form.delayValue}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => {
                setForm({ ...form, delayValue: event.target.value });
              }}
            />
          )}
        </Field>
        <UnitField
          label="Unit of the delay"
          value={form.delayUnit}
          onChange={(delayUnit) => {
            setForm({ ...form, delayUnit });
          }}
        />
      </div>
      <Field label="Event to wait for" error={errors.event} hint="e.g. Order Completed">
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            maxLength={200}
            value={form.event}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={(event) => {
              setForm({ ...form, event: event.target.value });
            }}
          />
        )}
      </Field>
      <Field
        label="Same as the starting event"
        hint="Properties that must match the event that started the sequence, separated by commas (e.g. cart_id)"
      >
        {({ id, describedBy }) => (
          <input
            id={id}
            value={form.sameAs}
            aria-describedby={describedBy}
            onChange={(event) => {
              setForm({ ...form, sameAs: event.target.value });
            }}
          />
        )}
      </Field>
      <div className="condition-row">
        <Field label="Wait at most" error={errors.limitValue}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              inputMode="numeric"
              value={form.limitValue}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => {
                setForm({ ...form, limitValue: event.target.value });
              }}
            />
          )}
        </Field>
        <UnitField
          label="Unit of the limit"
          value={form.limitUnit}
          onChange={(limitUnit) => {
            setForm({ ...form, limitUnit });
          }}
        />
      </div>
      <Field label="If it happens">
        {({ id }) => (
          <select
            id={id}
            value={form.goToStep}
            onChange={(event) => {
              setForm({ ...form, goToStep: event.target.value });
            }}
          >
            <option value="">End the sequence</option>
            {later.map((number) => (
              <option key={number} value={String(number)}>
                Go to step {number}
              </option>
            ))}
          </select>
        )}
      </Field>
      <p className="muted small">If it does not happen in time, the next step follows.</p>
      {save.isError && <ErrorNotice error={save.error} title="The step was not saved" />}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          Save step
        </button>
        <button type="button" className="button secondary" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function UnitField(props: {
  label: string;
  value: WaitForm['limitUnit'];
  onChange: (unit: WaitForm['limitUnit']) => void;
}) {
  return (
    <Field label={props.label}>
      {({ id }) => (
        <select
          id={id}
          value={props.value}
          onChange={(event) => {
            props.onChange(event.target.value as WaitForm['limitUnit']);
          }}
        >
          {UNITS.map((unit) => (
            <option key={unit} value={unit}>
              {unit}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
