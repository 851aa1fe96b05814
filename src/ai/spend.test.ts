import { describe, expect, it } from 'vitest';

import { createSpendTracker } from './spend.ts';

describe('spend tracker', () => {
  const day = new Date('2026-01-05T00:00:00Z');

  it('reads the database at most once per refresh interval and adds its own costs', async () => {
    let time = 0;
    let reads = 0;
    const tracker = createSpendTracker({
      read: () => {
        reads++;
        return Promise.resolve(1);
      },
      refreshMs: 1000,
      clock: () => time,
    });
    expect(await tracker.spentToday('b', day)).toBe(1);
    tracker.add('b', day, 0.5);
    time = 999;
    expect(await tracker.spentToday('b', day)).toBe(1.5);
    expect(reads).toBe(1);
    time = 1000;
    expect(await tracker.spentToday('b', day)).toBe(1); // the database is the truth again
    expect(reads).toBe(2);
  });

  it('starts over on a new day', async () => {
    let reads = 0;
    const tracker = createSpendTracker({
      read: () => Promise.resolve(++reads),
      refreshMs: 60_000,
      clock: () => 0,
    });
    await tracker.spentToday('b', day);
    expect(await tracker.spentToday('b', new Date('2026-01-06T00:00:00Z'))).toBe(2);
  });
});
