// A whole run's arithmetic (computeRun) on a base the size real businesses have: the models are
// fitted and every customer scored, however large the likelihood's magnitude grows with the base.
import { describe, expect, it } from 'vitest';

import type { PurchaseSummaries } from '../../src/modules/intelligence/repository.ts';
import { computeRun } from '../../src/modules/intelligence/run.ts';
import {
  computeRunOffThread,
  OFF_THREAD_CUSTOMERS,
} from '../../src/modules/intelligence/run-thread.ts';
import { gamma, seededRandom, simulateBgNbd } from './simulate.ts';

/** `customers` drawn from BG/NBD in days (first purchases over a year) with Gamma-Gamma spend. */
function population(customers: number): PurchaseSummaries {
  const random = seededRandom(7);
  const histories = simulateBgNbd(
    { r: 0.25, alpha: 28, a: 0.8, b: 2.5 },
    customers,
    (index) => 30 + (index % 336),
    random,
  );
  const summaries: PurchaseSummaries = {
    customers,
    customerIds: Buffer.alloc(customers * 16),
    x: new Int32Array(customers),
    txDays: new Int32Array(customers),
    tDays: new Int32Array(customers),
    recencyDays: new Int32Array(customers),
    repeatMeanCents: new Float64Array(customers),
    totalCents: new Float64Array(customers),
  };
  for (const [i, history] of histories.entries()) {
    summaries.customerIds.writeUInt32BE(i, i * 16 + 12); // the id's last 4 bytes: i
    const txDays = Math.min(history.T, Math.round(history.tx));
    const repeatMeanCents = history.x > 0 ? Math.round(100 * gamma(random, 6) * 3.75) : 0;
    summaries.x[i] = history.x;
    summaries.txDays[i] = txDays;
    summaries.tDays[i] = history.T;
    summaries.recencyDays[i] = history.T - txDays;
    summaries.repeatMeanCents[i] = repeatMeanCents;
    summaries.totalCents[i] = 1500 + repeatMeanCents * history.x;
  }
  return summaries;
}

describe('an intelligence run on a large base', () => {
  it('fits both models on 100,000 customers, whose log-likelihood is far past 100,000', () => {
    const summaries = population(100_000);
    const result = computeRun(summaries, {
      asOf: '2026-11-30',
      timeZone: 'UTC',
      horizonDays: 365,
      annualDiscountRate: 0.1,
      currency: 'USD',
    });
    expect(result.model.sufficiency.reasons).toEqual([]);
    expect(result.model.sufficiency.predictive).toBe(true);
    const bgnbd = result.model.bgnbd;
    expect(Math.abs(bgnbd?.logLikelihood ?? 0)).toBeGreaterThan(100_000);
    // Drawn with r 0.25 and α 28 days (4 weeks): fitted back in weeks.
    expect(bgnbd?.r).toBeCloseTo(0.25, 1);
    expect((bgnbd?.alpha ?? 0) / 4).toBeCloseTo(1, 1);
    expect(result.model.gammaGamma?.p).toBeGreaterThan(0);
    const predictive = result.scores.predictive;
    expect(predictive?.pAlive.every((p) => p > 0 && p <= 1)).toBe(true);
    expect(predictive?.clvCents.every((clv) => Number.isFinite(clv) && clv >= 0)).toBe(true);
    const tiers = result.figures.churnTiers;
    expect((tiers?.low ?? 0) + (tiers?.medium ?? 0) + (tiers?.high ?? 0)).toBe(100_000);
    const segments = Object.values(result.figures.rfmSegments);
    expect(segments.reduce((sum, count) => sum + count, 0)).toBe(100_000);
  });

  it('runs a large base on a worker thread: the same result, and the event loop keeps turning', async () => {
    const settings = {
      asOf: '2026-11-30',
      timeZone: 'UTC',
      horizonDays: 365,
      annualDiscountRate: 0.1,
      currency: 'USD',
    };
    const inline = computeRun(population(OFF_THREAD_CUSTOMERS * 2), settings);
    const order: string[] = [];
    const offThread = computeRunOffThread(population(OFF_THREAD_CUSTOMERS * 2), settings).then(
      (result) => {
        order.push('result');
        return result;
      },
    );
    setImmediate(() => order.push('a turn of the event loop'));
    const result = await offThread;
    // On the calling thread the result would come first: nothing else runs until it is done.
    expect(order).toEqual(['a turn of the event loop', 'result']);
    expect(result.model.bgnbd).toEqual(inline.model.bgnbd);
    expect(result.model.gammaGamma).toEqual(inline.model.gammaGamma);
    expect(result.figures).toEqual(inline.figures);
    expect(result.scores.rfmSegment).toEqual(inline.scores.rfmSegment);
    expect(result.scores.predictive?.clvCents).toEqual(inline.scores.predictive?.clvCents);
    // The columns came back with the scores (moved, not copied), ids included.
    expect(result.scores.summaries.customerIds.equals(inline.scores.summaries.customerIds)).toBe(
      true,
    );
    expect(result.scores.summaries.x).toEqual(inline.scores.summaries.x);
  });
});
