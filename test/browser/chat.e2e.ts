// The chat with the marketing agents in Chromium, against a real Herald and the fault-injecting
// OpenAI-compatible model server (streamed replies and tool calls): the copywriter drafts a
// LinkedIn post, which is saved only once the marketer confirms; asked to schedule it, it asks
// to approve and to schedule, each confirmed on its card, and the piece is then scheduled.
import { beforeAll, describe, expect, it } from 'vitest';

import { type FakeLlm, startFakeLlm } from '../helpers/fake-llm.ts';
import { apiAs, browserSuite, createBusiness, screenshot, signUp, tokenOf } from './harness.ts';

const env: Record<string, string> = {};
let fake: FakeLlm;
// Registered before the suite's own hook, so Herald starts pointed at this model server.
beforeAll(async () => {
  fake = await startFakeLlm();
  Object.assign(env, {
    LLM_BASE_URL: fake.baseUrl,
    CHAT_REQUESTS_PER_MINUTE: '100',
  });
});
const suite = browserSuite(env);

const route = (specialists: string[]) => ({
  content: JSON.stringify({ specialists, reasoning: 'A post to write and schedule.' }),
});
const calls = (...list: { name: string; args: unknown }[]) => ({
  toolCalls: list.map((c) => ({ name: c.name, arguments: JSON.stringify(c.args) })),
});

describe('the chat in Chromium', () => {
  it('drafts a LinkedIn post, schedules it once confirmed, and the piece is scheduled', async () => {
    const base = suite.herald.url;
    const { context, page, errors } = await suite.newPage({
      viewport: { width: 1280, height: 900 },
    });
    const account = await signUp(page, base);
    const businessId = await createBusiness(page, base);
    const api = apiAs(base, await tokenOf(base, account));

    fake.script(
      route(['copywriter']),
      calls({
        name: 'draft_content',
        args: {
          platform: 'linkedin',
          topic: 'Spring sourdough',
          text: 'Our spring sourdough is back this Saturday. Come early, it goes fast!',
        },
      }),
      { content: 'I wrote the post. Confirm below and I will save it as a draft.' },
    );
    await page.goto(`${base}/businesses/${businessId}/chat`);
    const box = page.getByLabel('Your message');
    await box.fill('Draft a LinkedIn post about our spring sourdough');
    await box.press('Enter');

    const cards = page.getByTestId('chat-confirmation');
    await cards.first().waitFor();
    expect(await cards.first().textContent()).toContain('Spring sourdough');
    // Nothing is saved before the marketer confirms.
    const before = await api<{ items: unknown[] }>('GET', `/businesses/${businessId}/contents`);
    expect(before.items).toEqual([]);
    await cards.first().getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(async () =>
        (
          await api<{ items: { id: string; status: string }[] }>(
            'GET',
            `/businesses/${businessId}/contents`,
          )
        ).items.map((piece) => piece.status),
      )
      .toEqual(['draft']);
    const pieces = await api<{ items: { id: string }[] }>(
      'GET',
      `/businesses/${businessId}/contents`,
    );
    const contentId = pieces.items[0]?.id ?? '';

    fake.script(
      route(['copywriter']),
      calls(
        { name: 'approve_content', args: { contentId } },
        { name: 'schedule_content', args: { contentId, publishAt: '2027-03-01T09:00' } },
      ),
      { content: 'Confirm the approval, then the schedule.' },
    );
    await box.fill('Schedule it for March 1st at 9 in the morning');
    await box.press('Enter');
    await expect.poll(() => cards.count()).toBe(3);
    // Listed in the order the agent asked: approve, then schedule.
    expect(await cards.nth(1).textContent()).toContain('Approve');
    expect(await cards.nth(2).textContent()).toContain('Schedule');
    await cards.nth(1).getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(() => cards.nth(1).getByTestId('chat-action-status').textContent())
      .not.toContain('Waiting');
    await cards.nth(2).getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(
        async () =>
          (
            await api<{ status: string; publishAt: string | null }>(
              'GET',
              `/businesses/${businessId}/contents/${contentId}`,
            )
          ).status,
      )
      .toBe('scheduled');
    const scheduled = await api<{ publishAt: string }>(
      'GET',
      `/businesses/${businessId}/contents/${contentId}`,
    );
    expect(scheduled.publishAt).toMatch(/^2027-03-01T/);
    await screenshot(page, 'chat-scheduled');

    // The piece shows as scheduled where the marketer looks for it.
    await page.goto(`${base}/businesses/${businessId}/content/${contentId}`);
    await page.getByText('Scheduled', { exact: false }).first().waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
