// Customer data moving sequences: event triggers (with a property filter, consent and the
// suppression list respected, a twice-delivered event enrolling once), segment-entry triggers,
// exit events, and "wait for event" steps both ways. The customer processor is another module's:
// here the listener is called directly with resolved events, inside a transaction as it would be.
import { randomUUID } from 'node:crypto';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ResolvedEvent } from '../../src/modules/customers/index.ts';
import { createSequenceTriggers } from '../../src/modules/sequences/index.ts';
import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';

const MINUTE = 60_000;

describe('sequence triggers from customer data', () => {
  let ctx: TestApp;
  let owner: TestUser;
  /** The listeners' clock, driven by the tests. */
  let clock = new Date();
  const triggers = createSequenceTriggers({ now: () => clock });

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
  });

  const api = suiteApi(() => ({ app: ctx.app, user: owner }));
  const db = () => ctx.runtime.database.db;
  const dispatch = (at: Date) => ctx.runtime.services.sequenceDispatcher.runOnce(at);

  /** A subscriber (with the given consent) linked to a new customer of the business. */
  async function customer(
    businessId: string,
    options: { consent?: string; suppressed?: boolean; subscriber?: boolean } = {},
  ) {
    const email = `person-${randomUUID()}@example.org`;
    let subscriberId: string | null = null;
    if (options.subscriber !== false) {
      const [row] = rowsOf<{ id: string }>(
        await db().execute(sql`
          insert into subscribers (business_id, email, consent_status)
          values (${businessId}::uuid, ${email}, ${options.consent ?? 'subscribed'}) returning id`),
      );
      subscriberId = row?.id ?? null;
    }
    if (options.suppressed) {
      await db().execute(sql`
        insert into suppressions (business_id, email, reason) values (${businessId}::uuid, ${email}, 'manual')`);
    }
    const [row] = rowsOf<{ id: string }>(
      await db().execute(sql`
        insert into customers (business_id, email, subscriber_id, first_seen_at, last_seen_at)
        values (${businessId}::uuid, ${email}, ${subscriberId}::uuid, now(), now()) returning id`),
    );
    if (!row) throw new Error('no customer');
    return { customerId: row.id, subscriberId, email };
  }

  function resolved(
    businessId: string,
    who: { customerId: string; subscriberId: string | null },
    event: string,
    properties: Record<string, unknown> = {},
    messageId = randomUUID(),
  ): ResolvedEvent {
    return {
      businessId,
      messageId,
      type: 'track',
      event,
      properties,
      traits: null,
      timestamp: clock,
      receivedAt: clock,
      customerId: who.customerId,
      subscriberId: who.subscriberId,
    };
  }

  /** Delivers events to the listener as the customer processor does: in its transaction. */
  async function deliver(...events: ResolvedEvent[]) {
    await db().transaction((tx) => triggers.events.onEvents(tx, events));
  }

  async function activeSequence(businessId: string, body: object) {
    const created = await api<{ id: string }>(
      'POST',
      `/api/v1/businesses/${businessId}/sequences`,
      { name: 'Triggered', ...body },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const base = `/api/v1/businesses/${businessId}/sequences/${created.body.id}`;
    expect((await api('POST', `${base}/activate`)).status).toBe(200);
    return { id: created.body.id, base };
  }

  interface EnrollmentView {
    subscriberId: string;
    status: string;
    nextStepIndex: number;
    waitingUntil: string | null;
    triggerEvent: { name: string; properties: Record<string, unknown> } | null;
  }
  async function enrollments(base: string) {
    const page = await api<{ items: EnrollmentView[] }>('GET', `${base}/enrollments`);
    expect(page.status).toBe(200);
    return page.body.items;
  }

  /** Subjects of the sequence's sent deliveries, oldest first. */
  async function sentSubjects(sequenceId: string) {
    const rows = rowsOf<{ subject: string }>(
      await db().execute(sql`
        select subject from deliveries where sequence_id = ${sequenceId}::uuid and status = 'sent'
        order by sent_at, created_at`),
    );
    return rows.map((row) => row.subject);
  }

  it('enrolls the consenting subscriber of a customer who does the event, once, only when the properties match', async () => {
    const business = await newBusiness(ctx.app, owner);
    const sequence = await activeSequence(business.id, {
      trigger: { type: 'event', event: 'Signed Up', where: { plan: 'pro' } },
      steps: [{ subject: 'Welcome to {{ event.plan }}', html: '<p>Hi</p>' }],
    });
    const ann = await customer(business.id);
    const bob = await customer(business.id, { consent: 'unsubscribed' });
    const cat = await customer(business.id, { suppressed: true });
    const dan = await customer(business.id, { subscriber: false });
    const eve = await customer(business.id);
    clock = new Date();

    const signedUp = resolved(business.id, ann, 'Signed Up', { plan: 'pro' });
    await deliver(signedUp);
    // The same event delivered again (a retried batch) enrolls nobody new.
    await deliver(signedUp);
    await deliver(
      resolved(business.id, bob, 'Signed Up', { plan: 'pro' }),
      resolved(business.id, cat, 'Signed Up', { plan: 'pro' }),
      resolved(business.id, dan, 'Signed Up', { plan: 'pro' }),
      resolved(business.id, eve, 'Signed Up', { plan: 'free' }),
      resolved(business.id, eve, 'Logged In', { plan: 'pro' }),
    );
    // Ann doing it again while enrolled changes nothing: same enrollment, same triggering event.
    await deliver(resolved(business.id, ann, 'Signed Up', { plan: 'pro', again: true }));

    const list = await enrollments(sequence.base);
    expect(list).toEqual([
      expect.objectContaining({
        subscriberId: ann.subscriberId,
        status: 'active',
        triggerEvent: { name: 'Signed Up', properties: { plan: 'pro' } },
      }),
    ]);
    const [stored] = rowsOf<{ trigger_message_id: string }>(
      await db().execute(
        sql`select trigger_message_id from enrollments where sequence_id = ${sequence.id}::uuid`,
      ),
    );
    expect(stored?.trigger_message_id).toBe(signedUp.messageId);

    // The step renders the triggering event's properties.
    await dispatch(new Date(clock.getTime() + 1000));
    expect(await sentSubjects(sequence.id)).toEqual(['Welcome to pro']);
    // After completing, doing the event again does not start the sequence over.
    await deliver(resolved(business.id, ann, 'Signed Up', { plan: 'pro' }));
    expect((await enrollments(sequence.base)).map((row) => row.status)).toEqual(['completed']);
  });

  it('matches a list of conditions, and ignores draft sequences', async () => {
    const business = await newBusiness(ctx.app, owner);
    const sequence = await activeSequence(business.id, {
      trigger: {
        type: 'event',
        event: 'Order Completed',
        where: [
          { property: 'total', op: 'gte', value: 100 },
          { property: 'shipping.country', op: 'eq', value: 'FR' },
        ],
      },
      steps: [{ subject: 'Merci', html: '<p>Merci</p>' }],
    });
    const draft = await api<{ id: string }>('POST', `/api/v1/businesses/${business.id}/sequences`, {
      name: 'Draft',
      trigger: { type: 'event', event: 'Order Completed' },
      steps: [{ subject: 'Draft', html: '<p>Draft</p>' }],
    });
    const big = await customer(business.id);
    const small = await customer(business.id);
    const abroad = await customer(business.id);
    await deliver(
      resolved(business.id, big, 'Order Completed', { total: 120, shipping: { country: 'FR' } }),
      resolved(business.id, small, 'Order Completed', { total: 20, shipping: { country: 'FR' } }),
      resolved(business.id, abroad, 'Order Completed', { total: 500, shipping: { country: 'DE' } }),
    );
    expect((await enrollments(sequence.base)).map((row) => row.subscriberId)).toEqual([
      big.subscriberId,
    ]);
    const drafts = await enrollments(
      `/api/v1/businesses/${business.id}/sequences/${draft.body.id}`,
    );
    expect(drafts).toEqual([]);
  });

  it('enrolls consenting subscribers of customers entering a segment; the segment must be the business’s', async () => {
    const business = await newBusiness(ctx.app, owner);
    const other = await newBusiness(ctx.app, owner);
    const segmentIn = async (businessId: string) => {
      const [row] = rowsOf<{ id: string }>(
        await db().execute(sql`
          insert into segments (business_id, name, rules) values (${businessId}::uuid, 'VIP', '{}'::jsonb)
          returning id`),
      );
      return row?.id ?? '';
    };
    const segmentId = await segmentIn(business.id);
    const foreign = await segmentIn(other.id);
    const path = `/api/v1/businesses/${business.id}/sequences`;
    const step = { subject: 'For our VIPs', html: '<p>Hi</p>' };

    for (const id of [randomUUID(), foreign]) {
      const refused = await api<{ error: { code: string } }>('POST', path, {
        name: 'VIP',
        trigger: { type: 'segment', segmentId: id },
        steps: [step],
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    }
    const sequence = await activeSequence(business.id, {
      trigger: { type: 'segment', segmentId },
      steps: [step],
    });
    const vip = await customer(business.id);
    const unsubscribed = await customer(business.id, { consent: 'unsubscribed' });
    const suppressed = await customer(business.id, { suppressed: true });
    const noSubscriber = await customer(business.id, { subscriber: false });
    const entry = {
      businessId: business.id,
      segmentId,
      customerIds: [vip, unsubscribed, suppressed, noSubscriber].map((c) => c.customerId),
    };
    await db().transaction((tx) => triggers.segments.onEntered(tx, entry));
    await db().transaction((tx) => triggers.segments.onEntered(tx, entry));
    expect((await enrollments(sequence.base)).map((row) => row.subscriberId)).toEqual([
      vip.subscriberId,
    ]);
    // Entering another segment enrolls nobody here.
    await db().transaction((tx) =>
      triggers.segments.onEntered(tx, { ...entry, segmentId: randomUUID() }),
    );
    expect(await enrollments(sequence.base)).toHaveLength(1);
  });

  it('ends the enrollment when the customer does the exit event: no further steps', async () => {
    const business = await newBusiness(ctx.app, owner);
    const sequence = await activeSequence(business.id, {
      trigger: { type: 'event', event: 'Trial Started' },
      exitEvent: { event: 'Subscription Started', where: { plan: 'pro' } },
      steps: [
        { subject: 'Day one', html: '<p>1</p>' },
        { delay: { value: 1, unit: 'days' }, subject: 'Day two', html: '<p>2</p>' },
      ],
    });
    const ann = await customer(business.id);
    clock = new Date();
    const start = clock.getTime();
    await deliver(resolved(business.id, ann, 'Trial Started'));
    await dispatch(new Date(start + 1000));
    expect(await sentSubjects(sequence.id)).toEqual(['Day one']);

    // Another plan is not the exit; the pro plan is — even while the sequence is paused.
    await deliver(resolved(business.id, ann, 'Subscription Started', { plan: 'basic' }));
    expect((await enrollments(sequence.base))[0]?.status).toBe('active');
    expect((await api('POST', `${sequence.base}/pause`)).status).toBe(200);
    await deliver(resolved(business.id, ann, 'Subscription Started', { plan: 'pro' }));
    expect((await enrollments(sequence.base))[0]?.status).toBe('exited');
    // A paused sequence enrolls nobody new.
    const bob = await customer(business.id);
    await deliver(resolved(business.id, bob, 'Trial Started'));
    expect(await enrollments(sequence.base)).toHaveLength(1);

    expect((await api('POST', `${sequence.base}/resume`)).status).toBe(200);
    await dispatch(new Date(start + 2 * 86_400_000));
    expect(await sentSubjects(sequence.id)).toEqual(['Day one']);
  });

  describe('abandoned cart: wait up to an hour for the order of the same cart', () => {
    const steps = (goToStep: number | null) => [
      {
        kind: 'wait_for_event',
        waitFor: {
          event: 'Order Completed',
          sameAs: ['cart_id'],
          limit: { value: 1, unit: 'hours' },
          goToStep,
        },
      },
      { subject: 'You left {{ event.cart_id }} behind', html: '<p>Come back</p>' },
      ...(goToStep === null ? [] : [{ subject: 'Thanks for your order', html: '<p>Thanks</p>' }]),
    ];

    async function abandonedCart(goToStep: number | null) {
      const business = await newBusiness(ctx.app, owner);
      const sequence = await activeSequence(business.id, {
        trigger: { type: 'event', event: 'Checkout Started' },
        steps: steps(goToStep),
      });
      const ann = await customer(business.id);
      clock = new Date();
      const start = clock.getTime();
      await deliver(resolved(business.id, ann, 'Checkout Started', { cart_id: 'c-1' }));
      // The wait begins when the step is reached.
      await dispatch(new Date(start + 1000));
      const [waiting] = await enrollments(sequence.base);
      expect(waiting?.waitingUntil).toBe(new Date(start + 1000 + 60 * MINUTE).toISOString());
      return { business, sequence, ann, start };
    }

    it('the order comes within the hour: the sequence goes to the step the wait names', async () => {
      const { business, sequence, ann, start } = await abandonedCart(3);
      clock = new Date(start + 20 * MINUTE);
      // An order of another cart is not the one waited for.
      await deliver(resolved(business.id, ann, 'Order Completed', { cart_id: 'c-2' }));
      expect((await enrollments(sequence.base))[0]?.waitingUntil).not.toBeNull();
      await deliver(resolved(business.id, ann, 'Order Completed', { cart_id: 'c-1' }));
      expect(await enrollments(sequence.base)).toEqual([
        expect.objectContaining({ status: 'active', nextStepIndex: 2, waitingUntil: null }),
      ]);

      await dispatch(new Date(start + 21 * MINUTE));
      await dispatch(new Date(start + 2 * 60 * MINUTE));
      expect(await sentSubjects(sequence.id)).toEqual(['Thanks for your order']);
      expect((await enrollments(sequence.base))[0]?.status).toBe('completed');
    });

    it('the order comes within the hour and the wait ends the sequence: nothing is sent', async () => {
      const { business, sequence, ann, start } = await abandonedCart(null);
      clock = new Date(start + 30 * MINUTE);
      await deliver(resolved(business.id, ann, 'Order Completed', { cart_id: 'c-1' }));
      expect((await enrollments(sequence.base))[0]?.status).toBe('completed');
      await dispatch(new Date(start + 2 * 60 * MINUTE));
      expect(await sentSubjects(sequence.id)).toEqual([]);
    });

    it('no order within the hour: the next step follows (and a late order changes nothing)', async () => {
      const { business, sequence, ann, start } = await abandonedCart(null);
      // Not yet timed out: nothing moves.
      await dispatch(new Date(start + 59 * MINUTE));
      expect((await enrollments(sequence.base))[0]?.nextStepIndex).toBe(0);
      // Timed out: on to the reminder, sent in the next round.
      await dispatch(new Date(start + 61 * MINUTE));
      expect((await enrollments(sequence.base))[0]).toEqual(
        expect.objectContaining({ nextStepIndex: 1, waitingUntil: null }),
      );
      await dispatch(new Date(start + 61 * MINUTE + 1000));
      expect(await sentSubjects(sequence.id)).toEqual(['You left c-1 behind']);
      expect((await enrollments(sequence.base))[0]?.status).toBe('completed');
      clock = new Date(start + 62 * MINUTE);
      await deliver(resolved(business.id, ann, 'Order Completed', { cart_id: 'c-1' }));
      await dispatch(new Date(start + 3 * 60 * MINUTE));
      expect(await sentSubjects(sequence.id)).toEqual(['You left c-1 behind']);
    });

    it('refuses a wait that goes back, and a wait without its event', async () => {
      const business = await newBusiness(ctx.app, owner);
      const path = `/api/v1/businesses/${business.id}/sequences`;
      const back = await api('POST', path, { name: 'Back', steps: steps(1) });
      expect(back.status).toBe(400);
      const missing = await api('POST', path, {
        name: 'Missing',
        steps: [{ kind: 'wait_for_event' }],
      });
      expect(missing.status).toBe(400);
    });
  });
});
