// Scores and questions on the Customers page, with the builtin provider (its rule parser, no
// model): the score columns and filters (RFM segment, churn risk, CLV top %), and "Ask about
// your customers" — the rule it was read as shown before the count, the summary and the first
// page; the loading state while the AI layer is held; a question outside the grammar saying what
// can be asked; and the same rule built from score conditions in the segment builder. Scores are
// written as a succeeded run would leave them (/__test__/scores).
import { describe, expect, it } from 'vitest';

import { browserSuite, createBusiness, pageWidth, screenshot, signUp } from './harness.ts';

const suite = browserSuite({ LLM_PROVIDER: 'builtin' });

async function addCustomers(businessId: string, emails: string[]): Promise<void> {
  const response = await fetch(`${suite.herald.url}/__test__/customers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      businessId,
      customers: emails.map((email) => ({ email, traits: {}, orderCount: 2 })),
    }),
  });
  expect(response.status).toBe(204);
}

describe('customer scores and questions in Chromium', () => {
  it('shows scores, filters by them, answers a question with its rule first, and saves it as a segment', async () => {
    const base = suite.herald.url;
    const { page, context, errors } = await suite.newPage({
      viewport: { width: 1366, height: 900 },
      locale: 'en-US',
    });
    await signUp(page, base);
    const businessId = await createBusiness(page, base);
    await addCustomers(businessId, ['ann@example.com', 'ben@example.com', 'cai@example.com']);
    await suite.herald.seedScores(businessId, [
      {
        email: 'ann@example.com',
        rfmSegment: 'at_risk',
        churnTier: 'high',
        clvCents: 52_000,
        clvPercentile: 95,
      },
      {
        email: 'ben@example.com',
        rfmSegment: 'champions',
        churnTier: 'low',
        clvCents: 80_000,
        clvPercentile: 99,
      },
      {
        email: 'cai@example.com',
        rfmSegment: 'hibernating',
        churnTier: 'high',
        clvCents: 1_000,
        clvPercentile: 10,
      },
    ]);

    await page.getByRole('link', { name: 'Customers' }).click();
    const rows = page.getByTestId('customer-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(3);
    const ann = rows.filter({ hasText: 'ann@example.com' });
    expect(await ann.getByTestId('rfm-segment').textContent()).toBe('At risk');
    expect(await ann.getByTestId('churn-tier').textContent()).toBe('High');
    expect(await ann.textContent()).toContain('$520.00');

    // The filters: high churn risk, then also CLV in the top 20 %.
    await page.getByLabel('Churn risk').selectOption('high');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
    await page.getByLabel('Lifetime value').selectOption('20');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    expect(await rows.first().textContent()).toContain('ann@example.com');
    await page.getByLabel('Churn risk').selectOption('');
    await page.getByLabel('Lifetime value').selectOption('0');
    await page.getByLabel('RFM segment').selectOption('champions');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    expect(await rows.first().textContent()).toContain('ben@example.com');
    await page.getByLabel('RFM segment').selectOption('lost');
    await page.getByTestId('customers-no-match').waitFor();
    await page.getByLabel('RFM segment').selectOption('');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(3);

    // A question, held at the AI layer: the loading state shows until it is released.
    await suite.herald.holdAi();
    await page.getByLabel('Your question').fill('Who is about to leave with CLV in the top 20 %?');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    await page.getByRole('button', { name: 'Asking…' }).waitFor();
    await expect.poll(() => suite.herald.heldAiCalls(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByTestId('question-answer').count()).toBe(0);
    await suite.herald.releaseAi();

    const rule = page.getByTestId('question-rule');
    await rule.waitFor();
    expect(await rule.textContent()).toContain(
      'Read as: high churn risk and lifetime value in the top 20 %',
    );
    expect(await page.getByTestId('question-count').textContent()).toBe('1 customer');
    expect(await page.getByTestId('question-summary').textContent()).toContain(
      'built-in rule parser (not an AI model)',
    );
    expect(await page.getByTestId('question-generated-by').textContent()).toContain(
      'not an AI model',
    );
    const answerRows = page.getByTestId('question-row');
    expect(await answerRows.count()).toBe(1);
    expect(await answerRows.first().textContent()).toContain('ann@example.com');
    // The rule is shown before the results: above the count and the first row.
    const top = async (testId: string) =>
      (await page.getByTestId(testId).first().boundingBox())?.y ?? Number.NaN;
    const ruleTop = await top('question-rule');
    expect(ruleTop).toBeLessThan(await top('question-count'));
    expect(ruleTop).toBeLessThan(await top('question-row'));
    await screenshot(page, 'customers-question');

    // A question outside the builtin grammar: what can be asked, and that a model is needed.
    await page.getByLabel('Your question').fill('Which customers live in Paris?');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    const refused = page.getByTestId('question-unsupported');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('configure a model');
    expect(await refused.locator('li').count()).toBeGreaterThan(3);
    expect(await page.getByTestId('question-answer').count()).toBe(0);

    // At phone width nothing overflows the page.
    await page.setViewportSize({ width: 390, height: 844 });
    const width = await pageWidth(page);
    expect(width.scrollWidth, JSON.stringify(width)).toBeLessThanOrEqual(width.innerWidth);
    await screenshot(page, 'customers-question-phone');
    await page.setViewportSize({ width: 1366, height: 900 });

    // The same question as a saved segment, built from score conditions in the rule builder.
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('link', { name: 'New segment' }).click();
    await page.getByLabel('Segment name').fill('Win back: valuable and leaving');
    await page.getByLabel('Kind of condition').selectOption('churnTier');
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Kind of condition').selectOption('score');
    await page.getByRole('button', { name: 'Add condition' }).click();
    // The builder starts with an empty trait condition: remove it.
    await page.getByRole('button', { name: 'Remove condition' }).first().click();
    expect(await page.getByTestId('rule-condition').count()).toBe(2);
    expect(await page.getByLabel('Churn risk tier').inputValue()).toBe('high');
    expect(await page.getByLabel('Score', { exact: true }).inputValue()).toBe('clvPercentile');
    const size = page.getByTestId('live-size-count');
    await expect.poll(() => size.textContent(), { timeout: 10_000 }).toBe('1');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);
    const member = page.getByTestId('member-row');
    await member.first().waitFor();
    expect(await member.count()).toBe(1);
    expect(await member.first().textContent()).toContain('ann@example.com');
    await screenshot(page, 'segments-score-conditions');

    expect(errors).toEqual([]);
    await context.close();
  });
});
