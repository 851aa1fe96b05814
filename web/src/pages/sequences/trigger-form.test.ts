import { describe, expect, it } from 'vitest';

import {
  describeTrigger,
  describeWait,
  triggerPayload,
  triggerToForm,
  waitPayload,
  waitToForm,
} from './trigger-form';

describe('trigger form', () => {
  it('turns an event with conditions into the API trigger, typing numbers, and back', () => {
    const form = triggerToForm({ type: 'manual' }, null);
    const result = triggerPayload({
      ...form,
      type: 'event',
      start: {
        event: ' Signed Up ',
        conditions: [
          { property: 'plan', op: 'eq', value: 'pro' },
          { property: 'seats', op: 'gte', value: '5' },
          { property: '', op: 'eq', value: 'ignored' },
        ],
      },
      exitEnabled: true,
      exit: { event: 'Subscription Started', conditions: [] },
    });
    expect(result).toEqual({
      ok: true,
      payload: {
        trigger: {
          type: 'event',
          event: 'Signed Up',
          where: [
            { property: 'plan', op: 'eq', value: 'pro' },
            { property: 'seats', op: 'gte', value: 5 },
          ],
        },
        exitEvent: { event: 'Subscription Started' },
      },
    });
    if (!result.ok) return;
    expect(describeTrigger(result.payload.trigger)).toBe(
      'Starts when a customer does “Signed Up” where plan is pro and seats is at least 5',
    );
    // The equality shorthand the API also accepts opens as conditions.
    expect(
      triggerToForm({ type: 'event', event: 'Signed Up', where: { plan: 'pro' } }, null).start
        .conditions,
    ).toEqual([{ property: 'plan', op: 'eq', value: 'pro' }]);
  });

  it('asks for the event name, the segment and the exit event', () => {
    const form = triggerToForm({ type: 'manual' }, null);
    expect(triggerPayload({ ...form, type: 'event' })).toMatchObject({
      ok: false,
      errors: { event: expect.stringContaining('event') as string },
    });
    expect(triggerPayload({ ...form, type: 'segment' })).toMatchObject({ ok: false });
    expect(triggerPayload({ ...form, exitEnabled: true })).toMatchObject({ ok: false });
  });

  it('makes a wait step with its limit and branch', () => {
    const result = waitPayload({
      ...waitToForm(null),
      event: 'Order Completed',
      sameAs: 'cart_id, ',
      limitValue: '2',
      limitUnit: 'hours',
      goToStep: '3',
    });
    expect(result).toEqual({
      ok: true,
      payload: {
        kind: 'wait_for_event',
        delay: { value: 0, unit: 'minutes' },
        waitFor: {
          event: 'Order Completed',
          sameAs: ['cart_id'],
          limit: { value: 2, unit: 'hours' },
          goToStep: 3,
        },
      },
    });
    if (!result.ok) return;
    expect(describeWait(result.payload.waitFor)).toEqual({
      waits: 'Waits up to 2 hours for “Order Completed” with the same cart_id',
      ifHappens: 'goes to step 3',
    });
    expect(waitPayload({ ...waitToForm(null), limitValue: '0' })).toMatchObject({ ok: false });
  });
});
