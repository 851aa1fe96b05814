// The customer-base models against their published results on the CDNOW sample (Fader, Hardie &
// Lee 2005; the data as the lifetimes library redistributes it, copied into test/fixtures/cdnow) and
// against populations drawn from the models with known parameters.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  bgNbdLogLikelihood,
  bgNbdLogLikelihoodGradient,
  expectedPurchases,
  fitBgNbd,
  fitBgNbdNelderMead,
  groupTriples,
  hyp2f1,
  prepareTriples,
  probabilityAlive,
  type PurchaseSummary,
} from '../../src/modules/intelligence/models/bgnbd.ts';
import {
  customerLifetimeValue,
  percentile,
  percentileRanks,
  scoreTriples,
} from '../../src/modules/intelligence/models/clv.ts';
import {
  expectedOrderValue,
  fitGammaGamma,
  fitGammaGammaNelderMead,
  gammaGammaLogLikelihood,
  gammaGammaLogLikelihoodGradient,
  prepareSpend,
} from '../../src/modules/intelligence/models/gamma-gamma.ts';
import { quintileScores, rfmSegment, scoreRfm } from '../../src/modules/intelligence/models/rfm.ts';
import { digamma } from '../../src/modules/intelligence/models/special.ts';
import { seededRandom, simulateBgNbd } from './simulate.ts';

const CDNOW = path.resolve(import.meta.dirname, '../fixtures/cdnow');

interface CdnowRow {
  x: number;
  tx: number;
  T: number;
  zbar: number;
}

function cdnowSummary(): CdnowRow[] {
  const lines = readFileSync(
    path.join(CDNOW, 'cdnow_customers_summary_with_transactions.csv'),
    'utf8',
  )
    .trim()
    .split(/\r?\n/)
    .slice(1);
  return lines.map((line) => {
    const [, x = 0, tx = 0, T = 0, zbar = 0] = line.split(',').map(Number);
    return { x, tx, T, zbar };
  });
}

/** Customers with the same (x, t_x, T) as one weighted row, as the run does. */
function aggregate(rows: { x: number; tx: number; T: number }[]): PurchaseSummary[] {
  const groups = new Map<string, PurchaseSummary>();
  for (const { x, tx, T } of rows) {
    const key = `${x}:${tx}:${T}`;
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { x, tx, T, count: 1 });
  }
  return [...groups.values()];
}

const within = (actual: number, expected: number, share: number) =>
  Math.abs(actual - expected) <= Math.abs(expected) * share;

describe('BG/NBD on the CDNOW sample (39-week calibration)', () => {
  const rows = cdnowSummary();
  const fit = fitBgNbd(aggregate(rows));

  it('reproduces the published parameters within 0.1 % and the log-likelihood within 0.1', () => {
    expect(rows).toHaveLength(2357);
    const { r, alpha, a, b } = fit.parameters;
    expect(within(r, 0.2426, 0.001), `r = ${r}`).toBe(true);
    expect(within(alpha, 4.4135, 0.001), `alpha = ${alpha}`).toBe(true);
    expect(within(a, 0.7929, 0.001), `a = ${a}`).toBe(true);
    expect(within(b, 2.4258, 0.001), `b = ${b}`).toBe(true);
    expect(Math.abs(fit.logLikelihood - -9582.4)).toBeLessThanOrEqual(0.1);
    expect(fit.converged).toBe(true);
  });

  it('gives the likelihood of unaggregated customers when each row counts once', () => {
    const single = rows.map(({ x, tx, T }) => ({ x, tx, T, count: 1 }));
    expect(bgNbdLogLikelihood(fit.parameters, single)).toBeCloseTo(fit.logLikelihood, 6);
  });

  it('answers P(alive) and expected purchases as the paper does for its example customer', () => {
    // The paper's worked example: x = 2, t_x = 30.43, T = 38.86, 39 weeks ahead → 1.226 (the
    // published figure, from r, α, a, b above).
    const p = { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 };
    expect(expectedPurchases(p, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 2);
    // Someone who bought once and never again after a long time is likelier gone than one who
    // bought recently; no repeat purchase means never seen dropping out.
    expect(probabilityAlive(p, 1, 2, 38.86)).toBeLessThan(probabilityAlive(p, 1, 35, 38.86));
    expect(probabilityAlive(p, 0, 0, 38.86)).toBe(1);
  });
});

describe('BG/NBD on populations drawn from it', () => {
  const truth = { r: 1.5, alpha: 8, a: 1.2, b: 4 };
  // Each customer watched for two to three years (T = 104–155 weeks): long enough to see
  // dropouts, which is what identifies a and b.
  const fitSeed = (seed: number) =>
    fitBgNbd(
      aggregate(simulateBgNbd(truth, 10_000, (index) => 104 + (index % 52), seededRandom(seed))),
    ).parameters;
  const errors = (fit: Record<string, number>) =>
    Object.entries(truth).map(([name, value]) => Math.abs((fit[name] as number) / value - 1));

  it('fits 10,000 generated customers back within 5 % of each parameter', () => {
    const fit = fitSeed(1);
    for (const error of errors({ ...fit })) expect(error).toBeLessThan(0.05);
  });

  it('is unbiased: over four populations the mean error of each parameter is within 3 %', () => {
    // One population's a and b carry about ±5 % of sampling error at this size (5 of seeds 1–6
    // land within 5 %), so the mean over several is the check on the estimator itself.
    const fits = [2, 3, 4, 5].map(fitSeed);
    for (const name of Object.keys(truth) as (keyof typeof truth)[]) {
      const mean = fits.reduce((sum, fit) => sum + fit[name], 0) / fits.length;
      expect(Math.abs(mean / truth[name] - 1), name).toBeLessThan(0.03);
    }
  }, 120_000);
});

describe('Gamma-Gamma on the CDNOW sample', () => {
  it('reproduces p = 6.25, q = 3.74, v = 15.45 on the 946 customers with repeat purchases', () => {
    const repeaters = cdnowSummary()
      .filter((row) => row.x > 0)
      .map((row) => ({ x: row.x, meanValue: row.zbar }));
    expect(repeaters).toHaveLength(946);
    const fit = fitGammaGamma(repeaters);
    const { p, q, v } = fit.parameters;
    expect(p.toFixed(2)).toBe('6.25');
    expect(q.toFixed(2)).toBe('3.74');
    expect(v.toFixed(2)).toBe('15.45');
    // Shrinkage: a big spender's expectation sits between their mean and the population's.
    const population = (p * v) / (q - 1);
    const expected = expectedOrderValue(fit.parameters, 2, 200);
    expect(expected).toBeLessThan(200);
    expect(expected).toBeGreaterThan(population);
  });
});

/** Central differences of `f` on the logarithms of `point`'s values. */
function numericGradient(
  f: (point: Record<string, number>) => number,
  point: Record<string, number>,
): number[] {
  return Object.keys(point).map((name) => {
    const h = 1e-5;
    const at = (shift: number) =>
      f({ ...point, [name]: (point[name] as number) * Math.exp(shift) });
    return (at(h) - at(-h)) / (2 * h);
  });
}

describe('the exact fits (BFGS on the analytic gradient)', () => {
  const rows = cdnowSummary();
  const triples = aggregate(rows);
  const spend = rows.filter((row) => row.x > 0).map((row) => ({ x: row.x, meanValue: row.zbar }));

  it("BG/NBD: the gradient is the likelihood's slope, away from the optimum too", () => {
    const prepared = prepareTriples(triples);
    for (const point of [
      { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 },
      { r: 1.7, alpha: 0.6, a: 3.1, b: 0.4 },
    ]) {
      const { value, gradient } = bgNbdLogLikelihoodGradient(point, prepared);
      expect(value).toBeCloseTo(bgNbdLogLikelihood(point, triples), 6);
      const numeric = numericGradient((p) => bgNbdLogLikelihood(p as typeof point, triples), point);
      gradient.forEach((g, i) => {
        expect(Math.abs(g - (numeric[i] as number))).toBeLessThan(1e-4 * (1 + Math.abs(g)));
      });
    }
  });

  it("Gamma-Gamma: the gradient is the likelihood's slope", () => {
    const prepared = prepareSpend(spend);
    for (const point of [
      { p: 6.25, q: 3.74, v: 15.45 },
      { p: 0.8, q: 12, v: 2 },
    ]) {
      const { value, gradient } = gammaGammaLogLikelihoodGradient(point, prepared);
      expect(value).toBeCloseTo(gammaGammaLogLikelihood(point, spend), 6);
      const numeric = numericGradient(
        (p) => gammaGammaLogLikelihood(p as typeof point, spend),
        point,
      );
      gradient.forEach((g, i) => {
        expect(Math.abs(g - (numeric[i] as number))).toBeLessThan(1e-4 * (1 + Math.abs(g)));
      });
    }
  });

  it('land where Nelder–Mead does on CDNOW, to 1e-4 of each parameter, in far fewer steps', () => {
    const fast = fitBgNbd(triples);
    const reference = fitBgNbdNelderMead(triples);
    for (const name of ['r', 'alpha', 'a', 'b'] as const)
      expect(Math.abs(fast.parameters[name] / reference.parameters[name] - 1), name).toBeLessThan(
        1e-4,
      );
    expect(fast.logLikelihood).toBeGreaterThanOrEqual(reference.logLikelihood - 1e-6);
    expect(fast.converged).toBe(true);
    expect(fast.iterations).toBeLessThan(reference.iterations / 10);
    const gg = fitGammaGamma(spend);
    const ggReference = fitGammaGammaNelderMead(spend);
    for (const name of ['p', 'q', 'v'] as const)
      expect(Math.abs(gg.parameters[name] / ggReference.parameters[name] - 1), name).toBeLessThan(
        1e-4,
      );
    expect(gg.converged).toBe(true);
  });

  it('fit the same parameters whatever the time unit (α scales, the rest stays)', () => {
    const weeks = fitBgNbd(triples).parameters;
    const days = fitBgNbd(
      triples.map((row) => ({ ...row, tx: row.tx * 7, T: row.T * 7 })),
    ).parameters;
    expect(days.alpha / 7 / weeks.alpha).toBeCloseTo(1, 5);
    expect(days.r / weeks.r).toBeCloseTo(1, 5);
    expect(days.b / weeks.b).toBeCloseTo(1, 5);
  });

  it('digamma matches known values', () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 13);
    expect(digamma(0.5)).toBeCloseTo(-1.9635100260214235, 13);
    expect(digamma(10)).toBeCloseTo(2.251752589066721, 13);
  });
});

describe('scoring a base by its distinct (x, t_x, T)', () => {
  const bg = { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 };
  const options = { horizonDays: 365, annualDiscountRate: 0.1, unitsPerDay: 1 / 7 };

  it('groups customers by their triple in days and reads each back', () => {
    const { triples, tripleOf } = groupTriples(
      [0, 2, 0, 2, 1],
      [0, 30, 0, 30, 5],
      [40, 50, 40, 50, 40],
      7,
    );
    expect(triples).toEqual([
      { x: 0, tx: 0, T: 40 / 7, count: 2 },
      { x: 2, tx: 30 / 7, T: 50 / 7, count: 2 },
      { x: 1, tx: 5 / 7, T: 40 / 7, count: 1 },
    ]);
    expect([...tripleOf]).toEqual([0, 1, 0, 1, 2]);
  });

  it("gives each triple the per-customer functions' figures", () => {
    const triples = aggregate(cdnowSummary());
    const scores = scoreTriples(bg, triples, options);
    triples.forEach(({ x, tx, T }, i) => {
      expect(scores.pAlive[i]).toBeCloseTo(probabilityAlive(bg, x, tx, T), 12);
      expect(scores.expectedPurchases[i]).toBeCloseTo(expectedPurchases(bg, 365 / 7, x, tx, T), 10);
      // CLV is linear in the order value: the discounted purchases times it.
      const clv = customerLifetimeValue(
        bg,
        { p: 6.25, q: 3.74, v: 15.45 },
        { x, tx, T, meanValue: 30 },
        options,
      );
      const orderValue = expectedOrderValue({ p: 6.25, q: 3.74, v: 15.45 }, x, 30);
      expect((scores.discountedPurchases[i] as number) * orderValue).toBeCloseTo(clv, 8);
    });
  });

  it('the expectation agrees with the untransformed series and stays finite for frequent buyers', () => {
    const { r, alpha, a, b } = bg;
    // Equation 10 as the paper writes it, with the plain series (fine for small x).
    const direct = (t: number, x: number, tx: number, T: number) => {
      const z = t / (alpha + T + t);
      const numerator =
        1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z);
      const denominator =
        x > 0 ? 1 + (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x) : 1;
      return (((a + b + x - 1) / (a - 1)) * numerator) / denominator;
    };
    for (const [x, tx, T] of [
      [0, 0, 20],
      [1, 3, 38],
      [5, 30, 39],
      [25, 51, 52],
    ] as const)
      expect(expectedPurchases(bg, 52, x, tx, T) / direct(52, x, tx, T)).toBeCloseTo(1, 9);
    // Frequent buyers: the plain series needs hundreds of terms and a power near underflow
    // against a sum near overflow, but still agrees here …
    for (const [x, tx, T] of [
      [100, 51, 52],
      [364, 51.9, 52],
    ] as const)
      expect(expectedPurchases(bg, 52, x, tx, T) / direct(52, x, tx, T)).toBeCloseTo(1, 9);
    // … and past it (the power underflows to 0) the transformed one still answers, below what an
    // alive customer at the posterior mean rate would buy.
    expect(Number.isNaN(direct(52, 3000, 100, 100)) || direct(52, 3000, 100, 100) === 0).toBe(true);
    const many = expectedPurchases(bg, 52, 3000, 100, 100);
    expect(many).toBeGreaterThan(0);
    expect(many).toBeLessThan(((bg.r + 3000) / (bg.alpha + 100)) * 52);
  });
});

describe('hyp2f1', () => {
  it('matches closed forms', () => {
    // ₂F₁(1, 1; 2; z) = −ln(1 − z) / z
    for (const z of [0.1, 0.5, 0.9])
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 10);
    // ₂F₁(a, b; b; z) = (1 − z)^−a
    expect(hyp2f1(2.5, 3, 3, 0.3)).toBeCloseTo(Math.pow(0.7, -2.5), 10);
  });
});

describe('RFM', () => {
  it('scores quintiles by rank, ties sharing a score, recency reversed', () => {
    expect(quintileScores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    // Seven customers with one order tie at the bottom; the two repeat buyers rank above them.
    expect(quintileScores([1, 1, 1, 1, 1, 1, 1, 3, 8, 2])).toEqual([1, 1, 1, 1, 1, 1, 1, 5, 5, 4]);
    // Recency: fewest days since the last order scores 5.
    expect(quintileScores([0, 400, 30, 90, 200], false)).toEqual([5, 1, 4, 3, 2]);
  });

  it('gives each value 1 + ⌊5·(values below it)/n⌋ on a large base with many ties', () => {
    const random = seededRandom(11);
    for (const n of [1, 7, 10, 999, 5000]) {
      const values = Array.from({ length: n }, () => Math.floor(random() * 40) * 2.5);
      const sorted = [...values].sort((a, b) => a - b);
      const expected = values.map(
        (value) => 1 + Math.floor((5 * sorted.filter((other) => other < value).length) / n),
      );
      expect(quintileScores(values)).toEqual(expected);
      const reversed = values.map(
        (value) => 1 + Math.floor((5 * sorted.filter((other) => other > value).length) / n),
      );
      expect(quintileScores(values, false)).toEqual(reversed);
    }
  });

  it('names every cell of the R×F grid, and every segment has a cell', () => {
    const seen = new Set<string>();
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) seen.add(rfmSegment(r, f));
    expect([...seen].sort()).toEqual(
      [
        'about_to_sleep',
        'at_risk',
        'cannot_lose',
        'champions',
        'hibernating',
        'lost',
        'loyal',
        'need_attention',
        'new',
        'potential_loyalists',
        'promising',
      ].sort(),
    );
    expect(rfmSegment(5, 5)).toBe('champions');
    expect(rfmSegment(1, 5)).toBe('cannot_lose');
    expect(rfmSegment(1, 1)).toBe('lost');
    expect(rfmSegment(5, 1)).toBe('new');
  });

  it('scores a base end to end', () => {
    const scores = scoreRfm([
      { recencyDays: 2, frequency: 9, monetary: 90_00 },
      { recencyDays: 300, frequency: 1, monetary: 10_00 },
      { recencyDays: 20, frequency: 4, monetary: 50_00 },
      { recencyDays: 150, frequency: 6, monetary: 70_00 },
      { recencyDays: 60, frequency: 2, monetary: 20_00 },
    ]);
    expect(scores[0]).toEqual({ r: 5, f: 5, m: 5, segment: 'champions' });
    expect(scores[1]).toEqual({ r: 1, f: 1, m: 1, segment: 'lost' });
    expect(scores[3]).toMatchObject({ r: 2, f: 4, segment: 'at_risk' }); // bought often, not lately
  });
});

describe('CLV', () => {
  const bg = { r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258 };
  const gg = { p: 6.25, q: 3.74, v: 15.45 };
  const customer = { x: 2, tx: 30.43, T: 38.86, meanValue: 22.35 };
  const weeks = { unitsPerDay: 1 / 7 };

  it('is expected purchases times expected order value when nothing is discounted', () => {
    const clv = customerLifetimeValue(bg, gg, customer, {
      horizonDays: 364,
      annualDiscountRate: 0,
      ...weeks,
    });
    const purchases = expectedPurchases(bg, 52, 2, 30.43, 38.86);
    expect(clv).toBeCloseTo(purchases * expectedOrderValue(gg, 2, 22.35), 6);
  });

  it('falls as the discount rate rises and grows with the horizon', () => {
    const at = (rate: number, days: number) =>
      customerLifetimeValue(bg, gg, customer, {
        horizonDays: days,
        annualDiscountRate: rate,
        ...weeks,
      });
    expect(at(0.1, 365)).toBeLessThan(at(0, 365));
    expect(at(0.3, 365)).toBeLessThan(at(0.1, 365));
    expect(at(0.1, 730)).toBeGreaterThan(at(0.1, 365));
  });

  it('ranks each value by the share of values at most it', () => {
    const random = seededRandom(5);
    for (const n of [1, 3, 100, 2500]) {
      const values = Array.from({ length: n }, () => Math.floor(random() * 300) / 3);
      const expected = values.map((value) =>
        Math.floor((100 * values.filter((other) => other <= value).length) / n),
      );
      expect([...percentileRanks(values)]).toEqual(expected);
    }
  });

  it('reads percentiles between ranks', () => {
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([0, 10], 90)).toBe(9);
  });
});
