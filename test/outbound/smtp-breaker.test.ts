// The SMTP breaker with a dead mail server: sends fail, the breaker `smtp:<host:port>` opens,
// sequence and broadcast dispatch defer their deliveries (still claimed, attempts uncounted,
// nothing failed) and claim nothing new while it is open; when a server answers on that port
// again and the breaker's recovery time has passed on its clock, every delivery arrives exactly
// once. Runs on PGlite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rowsOf } from '../../src/platform/db/raw-sql.ts';
import { suiteApi } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newContent, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

const RECOVERY_MS = 60_000;

/** A loopback port nothing listens on (taken, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return address.port;
}

async function metricValue(ctx: TestApp, name: string, labels: Record<string, string>) {
  const metric = (await ctx.runtime.metrics.registry.getMetricsAsJSON()).find(
    (m) => m.name === name,
  );
  return (
    metric?.values.find((v) =>
      Object.entries(labels).every(([key, wanted]) => String(v.labels[key]) === wanted),
    )?.value ?? 0
  );
}

describe('a dead SMTP server', () => {
  let port: number;
  let breakerName: string;
  let clock = Date.now();
  let ctx: TestApp;
  let owner: TestUser;
  let receiver: SmtpReceiver | undefined;

  beforeAll(async () => {
    port = await freePort();
    breakerName = `smtp:127.0.0.1:${String(port)}`;
    ctx = await buildTestApp({
      env: {
        SMTP_URL: `smtp://127.0.0.1:${String(port)}`,
        // The four sequence and four broadcast sends of the first round fail before it opens.
        CIRCUIT_BREAKER_FAILURE_THRESHOLD: '8',
        CIRCUIT_BREAKER_RECOVERY_TIMEOUT: String(RECOVERY_MS / 1000),
        CIRCUIT_BREAKER_HALF_OPEN_MAX_CALLS: '2',
      },
      breakerClock: () => clock,
    });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await receiver?.close();
  });

  const api = suiteApi(() => ({ app: ctx.app, user: owner }));
  const breakerState = () => ctx.runtime.breakers.states()[breakerName];

  async function sequenceDeliveries(sequenceId: string) {
    return rowsOf<{ status: string; attempts: number; message_id: string }>(
      await ctx.runtime.database.db.execute(sql`
        select status, attempts, message_id from deliveries
        where sequence_id = ${sequenceId}::uuid order by message_id`),
    );
  }

  async function broadcastDeliveries(broadcastId: string) {
    return rowsOf<{ status: string; attempts: number }>(
      await ctx.runtime.database.db.execute(sql`
        select status, attempts from broadcast_deliveries
        where broadcast_id = ${broadcastId}::uuid`),
    );
  }

  it('opens the SMTP breaker, defers the sequence and broadcast deliveries without failing them, claims nothing new while open, and sends each exactly once when the server is back', async () => {
    const tag = randomUUID().slice(0, 8);
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    const emails = Array.from({ length: 4 }, (_, i) => `s${tag}-${String(i)}@example.org`);
    for (const email of emails) {
      expect((await api('POST', `${path}/subscribers`, { email })).status).toBe(201);
    }
    const sequence = await api<{ id: string; steps: { id: string }[] }>(
      'POST',
      `${path}/sequences`,
      {
        name: 'Welcome',
        steps: [{ subject: 'Welcome', html: '<p>Hello</p>' }],
      },
    );
    const sequencePath = `${path}/sequences/${sequence.body.id}`;
    await api('POST', `${sequencePath}/enrollments`, { filter: { all: true } });
    expect((await api('POST', `${sequencePath}/activate`)).status).toBe(200);
    const broadcast = await api<{ id: string }>('POST', `${path}/broadcasts`, {
      name: 'News',
      variants: [{ subject: 'News', markdown: 'Fresh news' }],
      audience: { type: 'all' },
    });
    expect(broadcast.status).toBe(201);
    expect((await api('POST', `${path}/broadcasts/${broadcast.body.id}/schedule`, {})).status).toBe(
      200,
    );

    const sequences = ctx.runtime.services.sequenceDispatcher;
    const broadcasts = ctx.runtime.services.broadcastDispatcher;
    const t0 = Date.now() + 1000;

    // Nothing listens: every send fails at the connection; the eighth failure opens the breaker.
    expect(await sequences.runOnce(new Date(t0))).toMatchObject({
      claimed: 4,
      sent: 0,
      failed: 0,
      deferred: 4,
    });
    expect(breakerState()).toBe('closed');
    expect(await broadcasts.runOnce(new Date(t0))).toMatchObject({
      sent: 0,
      failed: 0,
      deferred: 4,
    });
    expect(breakerState()).toBe('open');
    for (const row of await sequenceDeliveries(sequence.body.id)) {
      expect(row).toMatchObject({ status: 'claimed', attempts: 0 });
    }
    for (const row of await broadcastDeliveries(broadcast.body.id)) {
      expect(row).toMatchObject({ status: 'claimed', attempts: 0 });
    }

    // A subscriber enrolled now is not claimed while the breaker is open. A deferred delivery
    // comes round again after the recovery time; the breaker, still open on its own clock,
    // refuses it without trying the server, and it is deferred again.
    const late = `s${tag}-late@example.org`;
    expect((await api('POST', `${path}/subscribers`, { email: late })).status).toBe(201);
    await api('POST', `${sequencePath}/enrollments`, { filter: { all: true } });
    const rejectedBefore = await metricValue(ctx, 'herald_outbound_requests_total', {
      service: 'smtp',
      outcome: 'rejected',
    });
    expect(await sequences.runOnce(new Date(t0 + RECOVERY_MS + 1000))).toMatchObject({
      reclaimed: 4,
      claimed: 0,
      sent: 0,
      failed: 0,
      deferred: 4,
    });
    expect(
      await metricValue(ctx, 'herald_outbound_requests_total', {
        service: 'smtp',
        outcome: 'rejected',
      }),
    ).toBe(rejectedBefore + 4);
    for (const row of await sequenceDeliveries(sequence.body.id)) {
      expect(row).toMatchObject({ status: 'claimed', attempts: 0 });
    }
    // A test send asked for meanwhile is told to try later, without the server's address.
    const testSend = await ctx.app.inject({
      method: 'POST',
      url: `${sequencePath}/steps/${sequence.body.steps[0]?.id ?? ''}/test`,
      headers: owner.headers,
      payload: { to: owner.email },
    });
    expect(testSend.statusCode).toBe(503);
    expect(testSend.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'The mail server is unavailable; try again later',
    });

    // The server is back on its port and the breaker's recovery time has passed.
    receiver = await startSmtpReceiver({ port });
    clock += RECOVERY_MS;
    const later = t0 + 2 * RECOVERY_MS + 2000;
    expect(await sequences.runOnce(new Date(later))).toMatchObject({
      reclaimed: 4,
      claimed: 1,
      sent: 5,
      failed: 0,
      deferred: 0,
    });
    expect(breakerState()).toBe('closed');
    expect(await broadcasts.runOnce(new Date(later))).toMatchObject({ sent: 4, deferred: 0 });

    // Later rounds send nothing more: nine messages, each Message-ID once.
    expect((await sequences.runOnce(new Date(later + 10 * RECOVERY_MS))).sent).toBe(0);
    expect((await broadcasts.runOnce(new Date(later + 10 * RECOVERY_MS))).sent).toBe(0);
    const counts = receiver.countsByMessageId();
    expect(receiver.messages).toHaveLength(9);
    expect(counts.size).toBe(9);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    for (const email of emails) expect(await receiver.to(email)).toHaveLength(2);
    expect(await receiver.to(late)).toHaveLength(1);
    for (const row of await sequenceDeliveries(sequence.body.id)) {
      expect(row).toMatchObject({ status: 'sent', attempts: 1 });
      expect(counts.get(row.message_id)).toBe(1);
    }
    for (const row of await broadcastDeliveries(broadcast.body.id)) {
      expect(row).toMatchObject({ status: 'sent', attempts: 1 });
    }

    const transitions = (from: string, to: string) =>
      metricValue(ctx, 'herald_circuit_breaker_transitions_total', {
        breaker: breakerName,
        from,
        to,
      });
    expect(await transitions('closed', 'open')).toBe(1);
    expect(await transitions('open', 'half-open')).toBe(1);
    expect(await transitions('half-open', 'closed')).toBe(1);
    expect(await metricValue(ctx, 'herald_circuit_breaker_state', { breaker: breakerName })).toBe(
      0,
    );
  });
});

describe('a mail server closing the session (421)', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let receiver: SmtpReceiver;
  let closing = true;

  beforeAll(async () => {
    receiver = await startSmtpReceiver({
      refuseRecipient: (address) => (closing && address.startsWith('busy-') ? 421 : undefined),
    });
    ctx = await buildTestApp({ env: { SMTP_URL: receiver.url } });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  const api = suiteApi(() => ({ app: ctx.app, user: owner }));

  it('defers that delivery (its attempt not counted) while the others go out, and sends it later', async () => {
    const tag = randomUUID().slice(0, 8);
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    const busy = `busy-${tag}@example.org`;
    const fine = `fine-${tag}@example.org`;
    for (const email of [busy, fine]) {
      expect((await api('POST', `${path}/subscribers`, { email })).status).toBe(201);
    }
    const sequence = await api<{ id: string }>('POST', `${path}/sequences`, {
      name: 'Welcome',
      steps: [{ subject: 'Welcome', html: '<p>Hello</p>' }],
    });
    const sequencePath = `${path}/sequences/${sequence.body.id}`;
    await api('POST', `${sequencePath}/enrollments`, { filter: { all: true } });
    expect((await api('POST', `${sequencePath}/activate`)).status).toBe(200);

    const dispatcher = ctx.runtime.services.sequenceDispatcher;
    const t0 = Date.now() + 1000;
    expect(await dispatcher.runOnce(new Date(t0))).toMatchObject({
      sent: 1,
      failed: 0,
      deferred: 1,
    });
    const [row] = rowsOf<{ status: string; attempts: number; error: string }>(
      await ctx.runtime.database.db.execute(sql`
        select d.status, d.attempts, d.error from deliveries d
        join subscribers s on s.id = d.subscriber_id where s.email = ${busy}`),
    );
    expect(row).toMatchObject({ status: 'claimed', attempts: 0 });
    expect(row?.error).toMatch(/mail server .* unavailable/);

    closing = false;
    expect(await dispatcher.runOnce(new Date(t0 + RECOVERY_MS + 1000))).toMatchObject({
      reclaimed: 1,
      sent: 1,
    });
    expect(await receiver.to(busy)).toHaveLength(1);
    expect(await receiver.to(fine)).toHaveLength(1);
  });
});

describe('a scheduled email piece while the SMTP breaker is open', () => {
  let port: number;
  let clock = Date.now();
  let ctx: TestApp;
  let receiver: SmtpReceiver | undefined;

  beforeAll(async () => {
    port = await freePort();
    // No worker: the test drains the publisher. Two attempts at most, retried at once, so
    // without the deferral the second claim would fail the piece for good.
    ctx = await buildTestApp({
      env: {
        SMTP_URL: `smtp://127.0.0.1:${String(port)}`,
        PUBLISH_MAX_ATTEMPTS: '2',
        PUBLISH_RETRY_BASE_MS: '0',
        CIRCUIT_BREAKER_FAILURE_THRESHOLD: '1',
        CIRCUIT_BREAKER_RECOVERY_TIMEOUT: String(RECOVERY_MS / 1000),
      },
      breakerClock: () => clock,
    });
  });
  afterAll(async () => {
    await ctx.close();
    await receiver?.close();
  });

  it('waits without using up an attempt and sends once when the server is back', async () => {
    const owner = await newUser(ctx.app);
    const api = suiteApi(() => ({ app: ctx.app, user: owner }));
    const business = await newBusiness(ctx.app, owner);
    const base = `/api/v1/businesses/${business.id}/contents`;
    const address = `pat-${randomUUID().slice(0, 8)}@example.org`;
    expect(
      (await api('POST', `/api/v1/businesses/${business.id}/subscribers`, { email: address }))
        .status,
    ).toBe(201);
    const piece = await newContent(ctx.app, owner, business.id);
    for (const status of ['in_review', 'approved'])
      expect((await api('POST', `${base}/${piece.id}/status`, { status })).status).toBe(200);
    expect(
      (
        await api('POST', `${base}/${piece.id}/schedule`, {
          publishAt: new Date(Date.now() - 1000).toISOString(),
          channel: 'email',
          channelTarget: { recipients: [address] },
        })
      ).status,
    ).toBe(200);
    const publisher = ctx.runtime.services.publishing.publisher;
    const attempts = async () =>
      (
        await api<{ items: { attempt: number; outcome: string }[] }>(
          'GET',
          `${base}/${piece.id}/attempts`,
        )
      ).body.items;

    // The refused connection opens the breaker; the retry finds it open and waits, uncounted.
    await publisher.drain();
    await publisher.drain();
    expect(ctx.runtime.breakers.states()[`smtp:127.0.0.1:${String(port)}`]).toBe('open');
    expect((await api<{ status: string }>('GET', `${base}/${piece.id}`)).body.status).toBe(
      'scheduled',
    );
    expect(await attempts()).toEqual([expect.objectContaining({ attempt: 1, outcome: 'failed' })]);

    receiver = await startSmtpReceiver({ port });
    clock += RECOVERY_MS;
    await ctx.runtime.database.query(
      `UPDATE contents SET lease_until = now() - interval '1 second' WHERE id = $1`,
      [piece.id],
    );
    await publisher.drain();
    expect((await api<{ status: string }>('GET', `${base}/${piece.id}`)).body.status).toBe(
      'published',
    );
    expect(await receiver.to(address)).toHaveLength(1);
    expect(await attempts()).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'failed' }),
      expect.objectContaining({ attempt: 2, outcome: 'success' }),
    ]);
  }, 30_000);
});
