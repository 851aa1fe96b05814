// "Draft with AI" on the broadcast A/B editor, in Chromium against a real Herald with the
// builtin provider: the button waits for a first subject and fills Subject B with a different
// subject that keeps the first one's Liquid; the draft saves; past the AI rate limit (2 a
// minute here) the error shows next to the button and nothing changes.
import { describe, expect, it } from 'vitest';

import { apiAs, browserSuite, createBusiness, screenshot, signUp, tokenOf } from './harness.ts';

// The harness points Herald at its fake model; this test uses the builtin provider instead.
const suite = browserSuite({ LLM_PROVIDER: 'builtin' });

describe('AI-drafted A/B variants in Chromium', () => {
  it('fills Subject B from Subject A with the builtin provider', async () => {
    const base = suite.herald.url;
    const { context, page, errors } = await suite.newPage({
      viewport: { width: 1366, height: 800 },
    });
    await signUp(page, base);
    const businessId = await createBusiness(page, base);
    await page.goto(`${base}/businesses/${businessId}/broadcasts/new`);
    await page.getByLabel('Broadcast name').fill('Weekend bake');
    await page.getByLabel('Email body (Markdown)').fill('Our sourdough is back this weekend.');
    await page.getByText('A/B test two subjects first').click();

    const button = page.getByRole('button', { name: 'Draft with AI' });
    expect(await button.isDisabled()).toBe(true);
    const placeholder = '{{ subscriber.first_name | default: "there" }}';
    await page.getByLabel('Subject A').fill(`Fresh bread, ${placeholder}`);
    expect(await button.isDisabled()).toBe(false);
    await button.click();
    await page.getByRole('status').filter({ hasText: 'built-in templates' }).waitFor();
    const drafted = await page.getByLabel('Subject B').inputValue();
    expect(drafted).toContain(placeholder);
    expect(drafted).not.toBe(`Fresh bread, ${placeholder}`);
    await screenshot(page, 'broadcast-draft-variants');

    // A second draft, then a third past the AI rate limit: the error shows, Subject B stays.
    await button.click();
    await expect.poll(() => button.isDisabled()).toBe(false);
    await button.click();
    await page.getByTestId('rate-limited').waitFor();
    expect(await page.getByLabel('Subject B').inputValue()).toBe(drafted);

    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL(/\/broadcasts\/[0-9a-f-]{36}$/);
    expect(await page.getByLabel('Subject B').inputValue()).toBe(drafted);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("drafts subject B of a sequence step's A/B test from the step's subject", async () => {
    const base = suite.herald.url;
    const { context, page, errors } = await suite.newPage({
      viewport: { width: 1366, height: 800 },
    });
    const account = await signUp(page, base);
    const businessId = await createBusiness(page, base);
    const api = apiAs(base, await tokenOf(base, account));
    const sequence = await api<{ id: string }>('POST', `/businesses/${businessId}/sequences`, {
      name: 'Welcome',
      steps: [{ subject: 'Fresh bread for you', markdown: 'Hello from the bakery!' }],
    });
    await page.goto(`${base}/businesses/${businessId}/sequences/${sequence.id}`);
    await page.getByRole('button', { name: 'A/B test this email' }).click();
    const panel = page.getByTestId('step-ab');
    await panel.getByRole('button', { name: 'Draft with AI' }).click();
    await panel.getByRole('status').filter({ hasText: 'built-in templates' }).waitFor();
    const drafted = await panel.getByLabel('Subject B').inputValue();
    expect(drafted).not.toBe('');
    expect(drafted).not.toBe('Fresh bread for you');
    expect(await panel.getByLabel('Subject A').inputValue()).toBe('Fresh bread for you');
    expect(errors).toEqual([]);
    await context.close();
  });
});
