import { describe, expect, it } from 'vitest';

import { factsOf, numbersIn, ungroundedIn } from './grounding.ts';

// A task input shaped like the insight job's: figures in cents, fractions under `ratios`.
const facts = factsOf({
  asOf: '2026-11-30',
  previousAsOf: '2026-10-31',
  annualDiscountRate: 0.1,
  model: {
    fittedAt: '2026-12-01T02:00:00.000Z',
    counts: { customers: 1234, repeatCustomers: 412, historyDays: 540 },
    reasons: ['Fewer than 500 customers with an order (312)'],
  },
  figures: {
    rfmSegments: { champions: 210, at_risk: 95 },
    clv: {
      totalCents: 1_234_567,
      percentiles: { p10: 1250, p50: 8_999, p90: 45_000 },
    },
    atRisk: { customers: 95, historicalRevenueCents: 2_345_678, clvCents: 321_000 },
    changes: { previousRunId: '0b6c6c42-5d86-4f7e-9f1c-7d3a1c2b9e10', rfmSegments: { lost: -12 } },
  },
  ratios: { atRiskCustomers: 95 / 1234, championsCustomers: 210 / 1234 },
});

const problems = (text: string, actions = 3) =>
  ungroundedIn(text, facts, { actions }).map((problem) => problem.text);

describe('finding the numbers in a text', () => {
  it('reads separators, decimals, scales, signs, currencies and percentages', () => {
    const found = numbersIn('$1,234.50, 12k, −12, +3, 18.3%, 1.2 million, 45 USD and 7 euros');
    expect(found.map(({ value, unit, signed }) => ({ value, unit, signed }))).toEqual([
      { value: 1234.5, unit: 'money', signed: false },
      { value: 12_000, unit: 'plain', signed: false },
      { value: -12, unit: 'plain', signed: true },
      { value: 3, unit: 'plain', signed: true },
      { value: 18.3, unit: 'percent', signed: false },
      { value: 1_200_000, unit: 'plain', signed: false },
      { value: 45, unit: 'money', signed: false },
      { value: 7, unit: 'money', signed: false },
    ]);
  });

  it('reads a dash between words or numbers as a hyphen, not a minus', () => {
    expect(numbersIn('top-10 and 10-20').map((mention) => mention.signed)).toEqual([
      false,
      false,
      false,
    ]);
  });
});

describe('the grounding check', () => {
  it('accepts counts as written, with separators and rounded to a shown precision', () => {
    expect(
      problems('1,234 customers, 1234 in all, about 1,200 or 1.2k of them; 412 repeat'),
    ).toEqual([]);
  });

  it('accepts amounts in cents written as money in major units, rounded as shown', () => {
    expect(
      problems('CLV totals $12,345.67 ($12,346, $12.3k, $12k, 12,345.67 USD); at risk: €3,210'),
    ).toEqual([]);
  });

  it('accepts a fraction written as a percentage or as itself, and a rate as a percentage', () => {
    expect(problems('7.7% of customers (0.077) are at risk; 17% are champions; rate 10%')).toEqual(
      [],
    );
  });

  it('accepts a change by its size, or with its own sign', () => {
    expect(problems('lost fell by 12 (−12, -12)')).toEqual([]);
    expect(problems('lost grew by +12')).toEqual(['+12']);
  });

  it('accepts dates of the run and their years, and refuses other dates', () => {
    expect(problems('As of 2026-11-30 (30 November 2026; Nov 30, 2026; since October 31)')).toEqual(
      [],
    );
    expect(problems('fitted 1 December, in 2026')).toEqual([]);
    expect(problems('since March 3, 2026 and 2025-01-01')).toEqual(['March 3, 2026', '2025-01-01']);
    expect(problems('back in 2019')).toEqual(['2019']);
  });

  it('accepts percentile ranks, list markers, positions and the count of actions', () => {
    expect(problems('p90 CLV is $450; the 90th percentile; the top 10% (top-10%)')).toEqual([]);
    expect(problems('1. Win back\n2) Reward\nthe 2nd action; the top 3 actions')).toEqual([]);
    expect(problems('the 7th action')).toEqual(['7th']);
    expect(problems('3 customers')).toEqual(['3']);
  });

  it('accepts numbers from the input’s own sentences with their unit', () => {
    expect(problems('fewer than 500 customers (312)')).toEqual([]);
  });

  it('rejects an invented number', () => {
    expect(problems('1,234 customers, of whom 37 are new')).toEqual(['37']);
    expect(problems('CLV could grow by 25%')).toEqual(['25%']);
    expect(problems('a 50% share of customers')).toEqual(['50%']);
  });

  it('rejects a figure written with the wrong unit', () => {
    // 95 customers are at risk: not $95, not 95%; $12,345.67 is money, not a count.
    expect(problems('$95 at risk')).toEqual(['$95']);
    expect(problems('95% at risk')).toEqual(['95%']);
    expect(problems('12,345.67 customers')).toEqual(['12,345.67']);
    expect(problems('1234567 in lifetime value')).toEqual(['1234567']);
  });

  it('rejects a rounding coarser than two significant digits, or shown too precisely', () => {
    expect(problems('about 1k customers')).toEqual(['1k']);
    expect(problems('$12,345.60 of value')).toEqual(['$12,345.60']);
  });

  it('rejects numbers spelled out in words', () => {
    expect(problems('twelve customers left and a hundred more')).toEqual(['twelve', 'hundred']);
    expect(problems('two segments grew')).toEqual([]);
  });
});
