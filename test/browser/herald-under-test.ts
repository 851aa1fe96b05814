// The Herald the browser tests drive: `herald serve` exactly as `npm start` runs it (fresh
// embedded database, in-process worker, the built dashboard), plus two test-only controls that
// exist only in this file, never in a production build:
// - `POST /__test__/faults` arms a fault for the next N requests matching a method and path,
//   answered through Herald's real error handler (a 500 INTERNAL with its correlation ID, a 401
//   as an expired access token gets, or a 409 CONFLICT);
// - `POST /__test__/clock/publish-due` moves time forward for scheduled pieces (`seconds`) and
//   publishes what is then due, so a test never waits for a publish time on the wall clock;
// - `POST /__test__/ai/hold` makes every model call wait (at the AI layer, whatever the provider)
//   until `POST /__test__/ai/release`; `GET /__test__/ai/held` says how many wait, so a test can
//   reload a page while an AI job is surely mid-way;
// - `POST /__test__/members` makes a registered user (by email) a member of a business with a
//   role, so a test can sign in as an editor or a viewer without going through an invitation;
// - `POST /__test__/events` stores events through the core write path (insertEvents) and runs
//   the customer processor until they are processed, so the profiles they make are there when
//   it answers;
// - `POST /__test__/customers` writes customer profiles straight into a business (the segments
//   browser test needs customers without going through event ingestion);
// - `POST /__test__/scores` writes a succeeded intelligence run with scores for customers (by
//   email), as a run would leave them (the run itself is not what those tests are about).
// - `POST /__test__/webhooks/publish` publishes a Herald event, and `POST /__test__/webhooks/due`
//   runs a round of webhook deliveries as if `seconds` had gone by (retries without waiting).
import { loadConfig } from '../../src/config.ts';
import { serve } from '../../src/main.ts';
import { insertEvents } from '../../src/modules/tracking/repository.ts';
import type { HeraldEvent } from '../../src/platform/events.ts';
import { conflict, unauthenticated } from '../../src/platform/http/errors.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Runtime } from '../../src/runtime.ts';
import { drainEvents, eventRow, type TestEvent } from '../customers/events.ts';
import { publishAsIfLater } from '../helpers/queue-clock.ts';
import { addScoredRun, type ScoreSeed } from '../helpers/scores.ts';

interface Fault {
  method: string;
  /** A regular expression matched against the path (no query). */
  path: RegExp;
  kind: 'internal' | 'unauthenticated' | 'conflict';
  remaining: number;
}

const faults: Fault[] = [];

/** Model calls held by `/__test__/ai/hold`, each released by calling its function. */
const aiGate: { holding: boolean; waiting: (() => void)[] } = { holding: false, waiting: [] };

const config = loadConfig(process.env);
const logger = createLogger(config.log);
// Set once serve() returns; the routes that use it are only called after the server listens.
const started: { runtime?: Runtime } = {};
const served = await serve(config, logger, {
  configureApp(app) {
    app.post('/__test__/clock/publish-due', { schema: { hide: true } }, async (request) => {
      if (!started.runtime) throw new Error('the server is still starting');
      const { seconds } = request.body as { seconds: number };
      return { published: await publishAsIfLater(started.runtime, seconds) };
    });
    app.post('/__test__/members', { schema: { hide: true } }, async (request, reply) => {
      if (!started.runtime) throw new Error('the server is still starting');
      const body = request.body as {
        businessId: string;
        email: string;
        role: string;
        approver?: boolean;
      };
      await started.runtime.database.query(
        `INSERT INTO business_members (business_id, user_id, role, approver)
         SELECT $1, id, $3, $4 FROM users WHERE email = lower($2)`,
        [body.businessId, body.email, body.role, body.approver ?? false],
      );
      return reply.status(204).send();
    });
    app.post('/__test__/events', { schema: { hide: true } }, async (request) => {
      if (!started.runtime) throw new Error('the server is still starting');
      const body = request.body as { businessId: string; events: TestEvent[] };
      const db = started.runtime.database.db;
      const stored = await insertEvents(
        db,
        body.events.map((event) => eventRow(body.businessId, event)),
      );
      const processor = started.runtime.services.customerProcessor;
      await drainEvents(db, body.businessId, () => processor.processOnce());
      return { stored };
    });
    app.post('/__test__/customers', { schema: { hide: true } }, async (request, reply) => {
      if (!started.runtime) throw new Error('the server is still starting');
      const body = request.body as {
        businessId: string;
        customers: { email: string; traits: Record<string, unknown>; orderCount?: number }[];
      };
      for (const customer of body.customers) {
        await started.runtime.database.query(
          `INSERT INTO customers (business_id, email, traits, order_count, first_seen_at, last_seen_at)
           VALUES ($1, $2, $3::jsonb, $4, now(), now())`,
          [
            body.businessId,
            customer.email,
            JSON.stringify(customer.traits),
            customer.orderCount ?? 0,
          ],
        );
      }
      return reply.status(204).send();
    });
    app.post('/__test__/scores', { schema: { hide: true } }, async (request, reply) => {
      if (!started.runtime) throw new Error('the server is still starting');
      const body = request.body as {
        businessId: string;
        scores: (Omit<ScoreSeed, 'customerId'> & { email: string })[];
      };
      const seeds: ScoreSeed[] = [];
      for (const { email, ...score } of body.scores) {
        const found = await started.runtime.database.query<{ id: string }>(
          'SELECT id FROM customers WHERE business_id = $1 AND email = $2',
          [body.businessId, email],
        );
        const id = found[0]?.id;
        if (!id) throw new Error(`no customer ${email}`);
        seeds.push({ ...score, customerId: id });
      }
      await addScoredRun(started.runtime.database.db, body.businessId, seeds);
      return reply.status(204).send();
    });
    app.post('/__test__/webhooks/publish', { schema: { hide: true } }, async (request, reply) => {
      if (!started.runtime) throw new Error('the server is still starting');
      const event = request.body as HeraldEvent;
      await started.runtime.services.heraldEvents.publish(started.runtime.database.db, event);
      return reply.status(204).send();
    });
    app.post('/__test__/webhooks/due', { schema: { hide: true } }, async (request) => {
      if (!started.runtime) throw new Error('the server is still starting');
      const { seconds } = request.body as { seconds: number };
      const at = new Date(Date.now() + seconds * 1000);
      return { attempted: await started.runtime.services.webhookDeliverer.deliverDue(at) };
    });
    app.post('/__test__/ai/hold', { schema: { hide: true } }, async (_request, reply) => {
      aiGate.holding = true;
      return reply.status(204).send();
    });
    app.post('/__test__/ai/release', { schema: { hide: true } }, async (_request, reply) => {
      aiGate.holding = false;
      for (const release of aiGate.waiting.splice(0)) release();
      return reply.status(204).send();
    });
    app.get('/__test__/ai/held', { schema: { hide: true } }, (_request, reply) =>
      reply.send({ held: aiGate.waiting.length }),
    );
    app.post('/__test__/faults', { schema: { hide: true } }, async (request, reply) => {
      const body = request.body as {
        method?: string;
        path: string;
        kind?: Fault['kind'];
        times?: number;
      };
      faults.push({
        method: (body.method ?? 'GET').toUpperCase(),
        path: new RegExp(body.path),
        kind: body.kind ?? 'internal',
        remaining: body.times ?? 1,
      });
      return reply.status(204).send();
    });
    app.delete('/__test__/faults', { schema: { hide: true } }, async (_request, reply) => {
      faults.length = 0;
      return reply.status(204).send();
    });
    app.addHook('onRequest', (request, _reply, done) => {
      const path = request.url.split('?')[0] ?? '';
      const fault = faults.find(
        (candidate) =>
          candidate.remaining > 0 &&
          candidate.method === request.method &&
          candidate.path.test(path),
      );
      if (!fault) {
        done();
        return;
      }
      fault.remaining -= 1;
      done(
        fault.kind === 'unauthenticated'
          ? unauthenticated('Access token expired')
          : fault.kind === 'conflict'
            ? conflict('Someone else changed this business; reload and try again')
            : new Error('fault injected by the browser test'),
      );
    });
  },
});
started.runtime = served.runtime;
// Every job reaches a model through this one runner object: each call passes the gate first.
const ai = served.runtime.services.ai;
const run = ai.run.bind(ai);
ai.run = async (task, input, options) => {
  if (aiGate.holding) {
    await new Promise<void>((resolve) => {
      aiGate.waiting.push(resolve);
    });
  }
  return run(task, input, options);
};
