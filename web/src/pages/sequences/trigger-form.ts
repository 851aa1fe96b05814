// How a sequence starts and stops, as a form: the trigger (by hand, a customer event with
// property conditions, or entering a segment), the exit event, and a "wait for event" step, to
// and from the API's shapes. Pure, so it is tested without a browser.
import type { components } from '../../api/schema';

export type SequenceTrigger = components['schemas']['SequenceTrigger'];
export type PropertyFilter = components['schemas']['PropertyFilter'];
export type EventMatch = components['schemas']['EventMatch'];
export type WaitForEvent = components['schemas']['WaitForEvent'];
export type ConditionOp = Extract<PropertyFilter, unknown[]>[number]['op'];

export const CONDITION_OPS: { op: ConditionOp; label: string }[] = [
  { op: 'eq', label: 'is' },
  { op: 'neq', label: 'is not' },
  { op: 'gt', label: 'is more than' },
  { op: 'gte', label: 'is at least' },
  { op: 'lt', label: 'is less than' },
  { op: 'lte', label: 'is at most' },
  { op: 'contains', label: 'contains' },
  { op: 'exists', label: 'is set' },
];

export interface ConditionRow {
  property: string;
  op: ConditionOp;
  value: string;
}

export interface EventForm {
  event: string;
  conditions: ConditionRow[];
}

export interface TriggerForm {
  type: SequenceTrigger['type'];
  start: EventForm;
  segmentId: string;
  exitEnabled: boolean;
  exit: EventForm;
}

const emptyEvent = (): EventForm => ({ event: '', conditions: [] });

export function conditionsOf(where: PropertyFilter | undefined): ConditionRow[] {
  if (!where) return [];
  if (Array.isArray(where)) {
    return where.map((condition) => ({
      property: condition.property,
      op: condition.op,
      value:
        condition.value === undefined || condition.value === null ? '' : String(condition.value),
    }));
  }
  return Object.entries(where).map(([property, value]) => ({
    property,
    op: 'eq',
    value: value === null ? '' : String(value),
  }));
}

/** A typed value: numbers and true/false as such (an event's `total: 120` is a number). */
function valueOf(text: string): string | number | boolean {
  const trimmed = text.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  return trimmed;
}

export function filterOf(rows: ConditionRow[]): PropertyFilter | undefined {
  const kept = rows.filter((row) => row.property.trim() !== '');
  if (kept.length === 0) return undefined;
  return kept.map((row) => ({
    property: row.property.trim(),
    op: row.op,
    ...(row.op === 'exists' ? {} : { value: valueOf(row.value) }),
  }));
}

export function triggerToForm(trigger: SequenceTrigger, exitEvent: EventMatch | null): TriggerForm {
  return {
    type: trigger.type,
    start:
      trigger.type === 'event'
        ? { event: trigger.event, conditions: conditionsOf(trigger.where) }
        : emptyEvent(),
    segmentId: trigger.type === 'segment' ? trigger.segmentId : '',
    exitEnabled: exitEvent !== null,
    exit: exitEvent
      ? { event: exitEvent.event, conditions: conditionsOf(exitEvent.where) }
      : emptyEvent(),
  };
}

export type TriggerErrors = Partial<Record<'event' | 'segmentId' | 'exit', string>>;

function eventMatchOf(form: EventForm): EventMatch {
  const where = filterOf(form.conditions);
  return { event: form.event.trim(), ...(where ? { where } : {}) };
}

export function triggerPayload(
  form: TriggerForm,
):
  | { ok: true; payload: { trigger: SequenceTrigger; exitEvent: EventMatch | null } }
  | { ok: false; errors: TriggerErrors } {
  const errors: TriggerErrors = {};
  if (form.type === 'event' && form.start.event.trim() === '')
    errors.event = 'Name the event, e.g. Signed Up';
  if (form.type === 'segment' && form.segmentId === '') errors.segmentId = 'Choose a segment';
  if (form.exitEnabled && form.exit.event.trim() === '')
    errors.exit = 'Name the event that stops the sequence';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const start = eventMatchOf(form.start);
  const trigger: SequenceTrigger =
    form.type === 'event'
      ? { type: 'event', event: start.event, ...(start.where ? { where: start.where } : {}) }
      : form.type === 'segment'
        ? { type: 'segment', segmentId: form.segmentId }
        : { type: 'manual' };
  return {
    ok: true,
    payload: { trigger, exitEvent: form.exitEnabled ? eventMatchOf(form.exit) : null },
  };
}

function describeConditions(where: PropertyFilter | undefined): string {
  const rows = conditionsOf(where);
  if (rows.length === 0) return '';
  const parts = rows.map((row) => {
    const label = CONDITION_OPS.find((op) => op.op === row.op)?.label ?? row.op;
    return row.op === 'exists'
      ? `${row.property} ${label}`
      : `${row.property} ${label} ${row.value}`;
  });
  return ` where ${parts.join(' and ')}`;
}

/** "Starts when a customer does “Signed Up” where plan is pro". */
export function describeTrigger(trigger: SequenceTrigger, segmentName?: string): string {
  if (trigger.type === 'manual') return 'Subscribers are enrolled by hand';
  if (trigger.type === 'segment')
    return `Starts when a customer enters the segment “${segmentName ?? 'a segment'}”`;
  return `Starts when a customer does “${trigger.event}”${describeConditions(trigger.where)}`;
}

export function describeExit(exitEvent: EventMatch | null): string {
  if (!exitEvent) return 'Runs to the last step';
  return `Stops when the customer does “${exitEvent.event}”${describeConditions(exitEvent.where)}`;
}

export interface WaitForm {
  delayValue: string;
  delayUnit: 'minutes' | 'hours' | 'days';
  event: string;
  sameAs: string;
  limitValue: string;
  limitUnit: 'minutes' | 'hours' | 'days';
  /** '' ends the sequence; otherwise a later step's number. */
  goToStep: string;
}

export function waitToForm(
  step: {
    delay: { value: number; unit: WaitForm['delayUnit'] };
    waitFor: WaitForEvent | null;
  } | null,
): WaitForm {
  const wait = step?.waitFor;
  return {
    delayValue: String(step?.delay.value ?? 0),
    delayUnit: step?.delay.unit ?? 'minutes',
    event: wait?.event ?? '',
    sameAs: wait?.sameAs.join(', ') ?? '',
    limitValue: String(wait?.limit.value ?? 1),
    limitUnit: wait?.limit.unit ?? 'hours',
    goToStep: wait?.goToStep ? String(wait.goToStep) : '',
  };
}

export function waitPayload(form: WaitForm):
  | {
      ok: true;
      payload: {
        kind: 'wait_for_event';
        delay: { value: number; unit: WaitForm['delayUnit'] };
        waitFor: WaitForEvent;
      };
    }
  | { ok: false; errors: Partial<Record<'event' | 'limitValue' | 'delayValue', string>> } {
  const errors: Partial<Record<'event' | 'limitValue' | 'delayValue', string>> = {};
  const limit = Number(form.limitValue);
  const delay = Number(form.delayValue);
  if (form.event.trim() === '') errors.event = 'Name the event to wait for, e.g. Order Completed';
  if (!Number.isInteger(limit) || limit < 1) errors.limitValue = 'Wait at least 1';
  if (!Number.isInteger(delay) || delay < 0) errors.delayValue = 'Enter 0 or more';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    payload: {
      kind: 'wait_for_event',
      delay: { value: delay, unit: form.delayUnit },
      waitFor: {
        event: form.event.trim(),
        sameAs: form.sameAs
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== ''),
        limit: { value: limit, unit: form.limitUnit },
        goToStep: form.goToStep === '' ? null : Number(form.goToStep),
      },
    },
  };
}

/** "Waits up to 1 hour for “Order Completed” (same cart_id)". */
export function describeWait(wait: WaitForEvent): { waits: string; ifHappens: string } {
  const { value, unit } = wait.limit;
  const limit = `${String(value)} ${value === 1 ? unit.replace(/s$/, '') : unit}`;
  const same = wait.sameAs.length > 0 ? ` with the same ${wait.sameAs.join(', ')}` : '';
  return {
    waits: `Waits up to ${limit} for “${wait.event}”${same}`,
    ifHappens:
      wait.goToStep === null ? 'ends the sequence' : `goes to step ${String(wait.goToStep)}`,
  };
}
