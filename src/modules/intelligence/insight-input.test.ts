import { describe, expect, it } from 'vitest';

import {
  predictiveCard,
  predictiveFigures,
  rfmOnlyCard,
  rfmOnlyFigures,
} from '../../../test/helpers/intelligence-runs.ts';
import { UNGROUNDED } from '../../ai/contract.ts';
import { type RunInsight, type RunInsightInput, runInsightTask } from '../../ai/tasks.ts';
import { groundedInsight } from './grounding.ts';
import { insightInput } from './insight-input.ts';

const PREVIOUS_ID = '0b6c6c42-5d86-4f7e-9f1c-7d3a1c2b9e10';

const business = {
  name: 'Crumb & Co',
  industry: 'Bakery',
  audience: 'Busy parents',
  products: [],
  goals: [],
  brandVoice: { tone: '', wordsToUse: [], wordsToAvoid: [] },
  channels: [],
};

function withPrevious(): RunInsightInput {
  const previousFigures = predictiveFigures();
  previousFigures.atRisk = {
    customers: 209,
    historicalRevenueCents: 3_000_000,
    clvCents: 2_000_000,
  };
  return insightInput(
    {
      asOf: '2026-11-30',
      horizonDays: 365,
      annualDiscountRate: 0.1,
      model: predictiveCard(),
      figures: predictiveFigures({ runId: PREVIOUS_ID, asOf: '2026-10-31' }),
    },
    { asOf: '2026-10-31', figures: previousFigures },
  );
}

function rfmOnly(): RunInsightInput {
  return insightInput(
    {
      asOf: '2026-11-30',
      horizonDays: 365,
      annualDiscountRate: 0.1,
      model: rfmOnlyCard(),
      figures: rfmOnlyFigures(),
    },
    null,
  );
}

const builtin = (input: RunInsightInput) =>
  runInsightTask.builtin?.({ business, input, seed: 1, avoid: [] }) as RunInsight;

describe('the insight task input', () => {
  it('gives the shares and the before/after figures, so the model need not compute any', () => {
    const input = withPrevious();
    expect(input.ratios).toMatchObject({
      rfmSegments: { champions: 0.1702, at_risk: 0.1053 },
      churnTiers: { high: 0.1896 },
      atRiskCustomers: 0.1896,
      atRiskClv: 0.0513,
      churnRiskFrom: { medium: 0.3, high: 0.7 },
      sincePrevious: { atRiskCustomers: 0.1196 },
    });
    expect(input.sincePrevious).toMatchObject({
      atRiskCustomers: { before: 209, after: 234, change: 25 },
      atRiskClv: { beforeCents: 2_000_000, afterCents: 2_345_600, changeCents: 345_600 },
    });
    expect(input).toMatchObject({ previousAsOf: '2026-10-31', horizon: { days: 365, months: 12 } });
    // The histogram's bucket edges are left out: every number given is one the text may cite.
    expect(input.figures.clv).not.toHaveProperty('histogram');
  });
});

describe('the builtin narrative', () => {
  it('narrates a run from its figures and passes the grounding check', () => {
    const input = withPrevious();
    const answer = builtin(input);
    expect(answer.headline).toBe(
      '234 customers at high churn risk hold $23,456 of expected lifetime value',
    );
    expect(answer.narrative).toContain('the largest segment is champions with 210 (17.0%)');
    expect(answer.narrative).toContain('Since 2026-10-31: new +30, at risk +25, champions +12');
    expect(answer.actions.map((action) => action.title)).toEqual([
      'Win back customers at high churn risk',
      'Thank and reward your champions',
      'Turn potential loyalists into regulars',
    ]);
    expect(groundedInsight(input).safeParse(answer).success).toBe(true);
    expect(builtin(input)).toEqual(answer);
  });

  it('says plainly when there was not enough data to predict, and still passes', () => {
    const input = rfmOnly();
    const answer = builtin(input);
    expect(answer.narrative).toContain(
      'not predicted: fewer than 500 customers with an order (312)',
    );
    expect(answer.actions.at(-1)?.title).toBe('Collect more order history');
    expect(groundedInsight(input).safeParse(answer).success).toBe(true);
  });
});

describe('the grounded answer schema', () => {
  const answer: RunInsight = {
    headline: '234 customers at high churn risk',
    narrative: 'They hold $23,456 of expected lifetime value, 5.1% of the total of $456,789.',
    actions: [{ title: 'Win them back', why: 'The 234 at-risk customers are 19% of all.' }],
  };

  it('accepts an answer whose every number is a figure', () => {
    expect(groundedInsight(withPrevious()).safeParse(answer).success).toBe(true);
  });

  it('refuses an invented number, saying where and which, as ungrounded', () => {
    const invented = {
      ...answer,
      actions: [{ title: 'Win them back', why: 'A 35% discount brings back 80 of them.' }],
    };
    const result = groundedInsight(withPrevious()).safeParse(invented);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        code: 'custom',
        path: ['actions', 0, 'why'],
        params: UNGROUNDED,
        message: expect.stringContaining(
          '"35%" is not a share or rate of the run; "80" is not a figure of the run',
        ) as string,
      }),
    ]);
  });

  it('refuses a figure written with the wrong unit', () => {
    const wrongUnit = { ...answer, headline: '$234 at high churn risk' };
    const result = groundedInsight(withPrevious()).safeParse(wrongUnit);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['headline']]);
  });
});
