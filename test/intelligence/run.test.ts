// A whole run's arithmetic (computeRun) on a base the size real businesses have: the models are
// fitted and every customer scored, however large the likelihood's magnitude grows with the base.
import { describe, expect, it } from 'vitest';

import type { CustomerPurchaseSummary } from '../../src/modules/intelligence/repository.ts';
import { computeRun } from '../../src/modules/intelligence/run.ts';
import { gamma, seededRandom, simulateBgNbd } from './simulate.ts';

/** `customers` drawn from BG/NBD in days (first purchases over a year) with Gamma-Gamma spend. */
function population(customers: number): CustomerPurchaseSummary[] {
  const random = seededRandom(7);
  const histories = simulateBgNbd(
    { r: 0.25, alpha: 28, a: 0.8, b: 2.5 },
    customers,
    (index) => 30 + (index % 336),
    random,
  );
  return histories.map((history, index) => {
    const tDays = history.T;
    const txDays = Math.min(tDays, Math.round(history.tx));
    const repeatMeanCents = history.x > 0 ? Math.round(100 * gamma(random, 6) * 3.75) : 0;
    return {
      customerId: `customer-${index}`,
      x: history.x,
      txDays,
      tDays,
      repeatMeanCents,
      totalCents: 1500 + repeatMeanCents * history.x,
      recencyDays: tDays - txDays,
    };
  });
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
    expect(result.scores.every((row) => row.pAlive !== null && row.clvCents !== null)).toBe(true);
    expect(result.figures.churnTiers).not.toBeNull();
  });
});
