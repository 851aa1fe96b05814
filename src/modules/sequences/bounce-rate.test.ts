import { describe, expect, it } from 'vitest';

import { bounceRateEvent, bounceRateExceeded } from './bounce-rate.ts';

describe('a step over its bounce rate', () => {
  it('needs 20 sends and 5 % of them bounced', () => {
    expect(bounceRateExceeded({ sent: 19, bounced: 19 })).toBe(false);
    expect(bounceRateExceeded({ sent: 20, bounced: 0 })).toBe(false);
    expect(bounceRateExceeded({ sent: 20, bounced: 1 })).toBe(true);
    expect(bounceRateExceeded({ sent: 21, bounced: 1 })).toBe(false);
    expect(bounceRateExceeded({ sent: 200, bounced: 10 })).toBe(true);
  });

  it('is one event per step, carrying the rate for a receiver with a stricter threshold', () => {
    const figures = {
      businessId: 'b',
      sequenceId: 'q',
      sequenceName: 'Welcome',
      stepId: 's',
      stepPosition: 1,
      sent: 300,
      bounced: 23,
    };
    const event = bounceRateEvent(figures);
    expect(event.key).toBe(bounceRateEvent({ ...figures, sent: 400, bounced: 40 }).key);
    expect(event.data).toMatchObject({ bounceRate: 0.0767, threshold: 0.05, stepPosition: 1 });
  });
});
