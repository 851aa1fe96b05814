// Herald's events about money and reputation: a business's AI spending today reaching 80 % and
// 100 % of its daily budget (once each), and a sequence step's bounce rate reaching the threshold
// once enough of its emails went out.
import { randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { defineTask } from '../../src/ai/tasks.ts';
import {
  BOUNCE_RATE_MIN_SENT,
  BOUNCE_RATE_THRESHOLD,
  checkStepBounceRate,
} from '../../src/modules/sequences/bounce-rate.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newSequence, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type EventRecorder, eventRecorder } from './recorder.ts';

const tagline = defineTask<Record<string, never>, { tagline: string }>({
  name: 'tagline',
  tier: 'fast',
  prompt: { role: 'a copywriter', instructions: ['Write a tagline for the business.'] },
  output: z.object({ tagline: z.string() }),
});
// At the fake's prices ($1/M prompt, $2/M completion): $0.0016 a call, 80 % of $0.002.
const REPLY = {
  content: '{"tagline":"Bread worth waking up for"}',
  promptTokens: 1000,
  completionTokens: 300,
};

describe('AI budget and bounce-rate events', () => {
  let fake: FakeLlm;
  let ctx: TestApp;
  let recorder: EventRecorder;
  let owner: TestUser;
  let businessId: string;
  let otherBusinessId: string;

  beforeAll(async () => {
    fake = await startFakeLlm();
    recorder = eventRecorder();
    ctx = await buildTestApp({
      env: fakeLlmEnv(fake, { AI_DAILY_BUDGET_USD: '0.002', LLM_MAX_RETRIES: '0' }),
      eventListeners: [recorder],
    });
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    otherBusinessId = (await newBusiness(ctx.app, owner)).id;
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  const writeTagline = (business: string) =>
    ctx.runtime.services.ai.run(tagline, {}, { businessId: business, userId: owner.id });

  it("tells once when today's AI spending reaches 80 % and once when it reaches 100 %", async () => {
    const day = new Date().toISOString().slice(0, 10);
    fake.script(REPLY);
    await writeTagline(businessId);
    expect(recorder.of('ai.budget_threshold', businessId).map((event) => event.key)).toEqual([
      `ai.budget_threshold:${day}:80`,
    ]);

    fake.script(REPLY);
    await writeTagline(businessId);
    // Over budget now: the next call is refused, and nothing more is told.
    await expect(writeTagline(businessId)).rejects.toMatchObject({ code: 'AI_BUDGET_EXCEEDED' });

    const heard = recorder.of('ai.budget_threshold', businessId);
    expect(heard.map((event) => event.key)).toEqual([
      `ai.budget_threshold:${day}:80`,
      `ai.budget_threshold:${day}:100`,
    ]);
    expect(heard.map((event) => event.data)).toEqual([
      {
        percent: 80,
        spentUsd: 0.0016,
        budgetUsd: 0.002,
        period: 'day',
        day,
        month: day.slice(0, 7),
      },
      {
        percent: 100,
        spentUsd: 0.0032,
        budgetUsd: 0.002,
        period: 'day',
        day,
        month: day.slice(0, 7),
      },
    ]);
    expect(recorder.of('ai.budget_threshold', otherBusinessId)).toEqual([]);
  });

  /** One delivery of the step per status, each to a subscriber enrolled for it. */
  async function deliver(business: string, sequenceId: string, stepId: string, statuses: string[]) {
    for (const status of statuses) {
      await ctx.runtime.database.db.execute(sql`
        WITH subscriber AS (
          INSERT INTO subscribers (business_id, email)
          VALUES (${business}, ${`reader-${randomUUID()}@example.org`}) RETURNING id
        ), enrollment AS (
          INSERT INTO enrollments (business_id, sequence_id, subscriber_id)
          SELECT ${business}, ${sequenceId}, id FROM subscriber RETURNING id, subscriber_id
        )
        INSERT INTO deliveries
          (business_id, sequence_id, step_id, enrollment_id, subscriber_id, message_id, status, sent_at)
        SELECT ${business}, ${sequenceId}, ${stepId}, id, subscriber_id,
               ${`<${randomUUID()}@test>`}, ${status}, now()
          FROM enrollment`);
    }
  }

  const check = (business: string, stepId: string) =>
    ctx.runtime.database.db.transaction((tx) =>
      checkStepBounceRate(tx, ctx.runtime.services.heraldEvents, { businessId: business, stepId }),
    );

  it(`tells when a step's bounce rate reaches ${BOUNCE_RATE_THRESHOLD * 100} % over at least ${BOUNCE_RATE_MIN_SENT} sends`, async () => {
    const sequence = await newSequence(ctx.app, owner, businessId);
    const stepId = sequence.steps[0]?.id ?? '';
    // 1 bounce in 19 sends: over 5 %, but too few sends to say.
    await deliver(businessId, sequence.id, stepId, ['bounced', ...Array<string>(18).fill('sent')]);
    expect(await check(businessId, stepId)).toBe(false);
    // The 20th: 1 in 20 is 5 %.
    await deliver(businessId, sequence.id, stepId, ['sent']);
    expect(await check(businessId, stepId)).toBe(true);
    // Checked again, it is the same event (one key per step; the listeners keep one per key).
    expect(await check(businessId, stepId)).toBe(true);

    const heard = recorder.of('sequence.bounce_rate_exceeded', businessId);
    expect(new Set(heard.map((event) => event.key))).toEqual(
      new Set([`sequence.bounce_rate_exceeded:${stepId}`]),
    );
    expect(heard[0]?.data).toEqual({
      sequenceId: sequence.id,
      sequenceName: 'Welcome',
      stepId,
      stepPosition: 0,
      sent: 20,
      bounced: 1,
      bounceRate: 0.05,
      threshold: BOUNCE_RATE_THRESHOLD,
    });
  });

  it("stays quiet under the threshold, and for another business's step", async () => {
    const sequence = await newSequence(ctx.app, owner, otherBusinessId);
    const stepId = sequence.steps[0]?.id ?? '';
    await deliver(otherBusinessId, sequence.id, stepId, [
      'bounced',
      ...Array<string>(24).fill('sent'),
    ]);
    expect(await check(otherBusinessId, stepId)).toBe(false); // 4 %
    expect(await check(businessId, stepId)).toBe(false); // not this business's step
    expect(recorder.of('sequence.bounce_rate_exceeded', otherBusinessId)).toEqual([]);
  });
});
