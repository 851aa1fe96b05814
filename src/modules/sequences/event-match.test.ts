import { describe, expect, it } from 'vitest';

import { matchesEvent, matchesFilter } from './event-match.ts';

describe('event matching', () => {
  const order = { total: 120, currency: 'EUR', shipping: { country: 'FR' }, tags: ['gift'] };

  it('matches by name, and by equality per property (a number and its text are the same)', () => {
    expect(
      matchesEvent({ event: 'Order Completed' }, { event: 'Order Completed', properties: {} }),
    ).toBe(true);
    expect(
      matchesEvent({ event: 'Order Completed' }, { event: 'order completed', properties: {} }),
    ).toBe(false);
    expect(matchesEvent({ event: 'Order Completed' }, { event: null, properties: {} })).toBe(false);
    expect(matchesFilter(order, { currency: 'EUR', total: '120' })).toBe(true);
    expect(matchesFilter(order, { currency: 'USD' })).toBe(false);
    expect(matchesFilter(order, { missing: null })).toBe(false);
  });

  it('compares, looks into nested properties and lists, and treats a missing value as no match', () => {
    expect(
      matchesFilter(order, [
        { property: 'total', op: 'gte', value: 100 },
        { property: 'total', op: 'lt', value: 200 },
        { property: 'shipping.country', op: 'eq', value: 'FR' },
        { property: 'tags', op: 'contains', value: 'gift' },
        { property: 'currency', op: 'exists' },
        { property: 'coupon', op: 'neq', value: 'X' },
      ]),
    ).toBe(true);
    expect(matchesFilter(order, [{ property: 'discount', op: 'gt', value: 0 }])).toBe(false);
    expect(matchesFilter(order, [{ property: 'coupon', op: 'exists' }])).toBe(false);
    expect(matchesFilter(order, [{ property: 'currency', op: 'gt', value: 1 }])).toBe(false);
  });
});
