// bench/email.ts: sequence email throughput against the ceiling of this stack on this machine.
// N deliveries due at once are dispatched by a `herald worker` process to an SMTP relay on
// loopback (`smtp-server`, in its own process, counting by Message-ID); in the same run, bare
// nodemailer with the same pool size sends the same number of messages of the same shape to the
// same relay — the ceiling. Herald's emails/s is reported as a ratio of it, with and without
// DKIM, with the worker's peak RSS and the duplicates the relay saw. Then a CSV import of 100,000
// rows through the API and its job: rows/s. With `--broadcast N`: a broadcast to N subscribers
// (recipients materialised in SQL, DKIM-signed) by a fresh worker, against bare nodemailer with
// DKIM in the same run, with the worker's peak RSS and duplicates; `--broadcast-only` skips the
// sequence and import runs. Runs on a scratch database of a PostgreSQL server:
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5433/postgres node bench/email.ts \
//     [--deliveries 50000] [--rows 100000] [--batch 200] [--pool 5] [--no-append] [--profile dir]
//     [--broadcast 1000000] [--broadcast-only]
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

import { sql } from 'drizzle-orm';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';

import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { rowsOf } from '../src/platform/db/raw-sql.ts';
import { createLogger } from '../src/platform/logger.ts';
import { DKIM_SIGNED_HEADERS } from '../src/platform/mailer.ts';
import { createRuntime } from '../src/runtime.ts';
import { machineInfo } from './lib/machine.ts';
import { createScratchDatabase, serverVersion } from './lib/postgres.ts';
import { appendResults, markdownTable } from './lib/results.ts';
import { HERALD_NODE_FLAGS } from './lib/server.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) =>
  Number(args.includes(name) ? args[args.indexOf(name) + 1] : fallback) || fallback;

// ---------------------------------------------------------------- the relay (child process mode)

interface RelayStats {
  received: number;
  unique: number;
  bytes: number;
  firstAt: number;
  lastAt: number;
}

function serveRelay(): void {
  const counts = new Map<string, number>();
  const stats: RelayStats = { received: 0, unique: 0, bytes: 0, firstAt: 0, lastAt: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 200,
    onData(stream, _session, callback) {
      let head = '';
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (head.length < 8192) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const messageId = /^message-id:\s*(<[^>\r\n]+>)/im.exec(head)?.[1] ?? '';
        const seen = counts.get(messageId) ?? 0;
        counts.set(messageId, seen + 1);
        if (seen === 0) stats.unique += 1;
        stats.received += 1;
        stats.bytes += bytes;
        stats.lastAt = Date.now();
        if (stats.firstAt === 0) stats.firstAt = stats.lastAt;
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1', () => {
    const address = (server as unknown as { server: { address(): { port: number } } }).server;
    process.send?.({ port: address.address().port });
  });
  process.on('message', (message: string) => {
    if (message === 'stats') process.send?.({ stats });
    if (message === 'reset') {
      counts.clear();
      Object.assign(stats, { received: 0, unique: 0, bytes: 0, firstAt: 0, lastAt: 0 });
      process.send?.({ reset: true });
    }
    if (message === 'exit') server.close(() => process.exit(0));
  });
}

// ---------------------------------------------------------------- the bench

interface Relay {
  url: string;
  port: number;
  stats(): Promise<RelayStats>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

async function startRelay(): Promise<Relay> {
  const child = fork(import.meta.filename, ['--relay'], { stdio: 'inherit' });
  const ask = <T>(message: string, key: string) =>
    new Promise<T>((resolve) => {
      const listener = (reply: Record<string, unknown>) => {
        if (key in reply) {
          child.off('message', listener);
          resolve(reply[key] as T);
        }
      };
      child.on('message', listener);
      child.send(message);
    });
  const [ready] = (await once(child, 'message')) as [{ port: number }];
  return {
    url: `smtp://127.0.0.1:${String(ready.port)}`,
    port: ready.port,
    stats: () => ask<RelayStats>('stats', 'stats'),
    reset: () => ask<boolean>('reset', 'reset').then(() => undefined),
    async close() {
      child.send('exit');
      await once(child, 'exit');
    },
  };
}

function startWorker(env: Record<string, string>): { child: ChildProcess; started: Promise<void> } {
  // `--profile <dir>`: a V8 CPU profile of each worker, written when it stops.
  const profile = args.includes('--profile')
    ? ['--cpu-prof', '--cpu-prof-dir', args[args.indexOf('--profile') + 1] ?? 'bench-profiles']
    : [];
  // The flags `npm run worker` runs Herald with, so the peak RSS is what an operator sees.
  const child = spawn(
    process.execPath,
    [...HERALD_NODE_FLAGS, ...profile, 'src/main.ts', 'worker'],
    {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: {
        PATH: process.env.PATH ?? '',
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'herald-bench-worker-')),
        LOG_LEVEL: 'info',
        LOG_PRETTY: 'false',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const started = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('"herald worker started"')) resolve();
      else if (line.includes('"level":50') || line.includes('"level":40'))
        process.stderr.write(`worker: ${line.slice(0, 400)}\n`);
    });
    child.once('exit', (code) => {
      reject(new Error(`worker exited with ${String(code)} before starting`));
    });
  });
  return { child, started };
}

/** Peak resident set of a live process, from /proc (Linux). */
function peakRssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    const kb = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return Number.NaN;
  }
}

const SUBJECT = 'Fresh bread for you, {{ subscriber.first_name | default: "friend" }}';
const PREHEADER = 'Out of the oven at seven';
const HTML = `<h1>Hello {{ subscriber.first_name | default: "there" }}!</h1>
<p>Our sourdough is back, baked this morning in {{ subscriber.city | default: "town" }}. Come early: it goes fast.</p>
<p><a href="https://shop.example.com/sourdough?utm_source=herald">Order a loaf</a> or <a href="https://shop.example.com/menu">see the menu</a>.</p>
<p>See you soon,<br>The Blue Bottle Bakery</p>`;
const TEXT = `Hello {{ subscriber.first_name | default: "there" }}!
Our sourdough is back, baked this morning in {{ subscriber.city | default: "town" }}.
Order: https://shop.example.com/sourdough`;

/** The message Herald renders for subscriber `i`, shaped by hand for the bare nodemailer run:
 * same From, headers, bodies and tracked-link lengths (sizes are printed to compare). */
function ceilingMessage(i: number, run: string) {
  const name = `Reader${String(i)}`;
  const token = 'x'.repeat(180);
  const track = (url: string) => `http://localhost:3000/e/c/${token}${url.length.toString(36)}`;
  const unsubscribe = `http://localhost:3000/e/u/${token}`;
  return {
    messageId: `<ceiling-${run}-${String(i)}@bakery.example>`,
    from: '"Blue Bottle" <hello@bakery.example>',
    to: `reader-${String(i)}@example.org`,
    subject: `Fresh bread for you, ${name}`,
    html:
      `<div style="display:none;max-height:0;overflow:hidden">${PREHEADER}</div>` +
      HTML.replaceAll('{{ subscriber.first_name | default: "there" }}', name)
        .replaceAll('{{ subscriber.city | default: "town" }}', 'Lyon')
        .replace('https://shop.example.com/sourdough?utm_source=herald', track('a'))
        .replace('https://shop.example.com/menu', track('b')) +
      `<p><a href="${unsubscribe}">Unsubscribe</a></p><img src="http://localhost:3000/e/o/${token}" width="1" height="1" alt="">`,
    text: `${TEXT.replaceAll('{{ subscriber.first_name | default: "there" }}', name).replaceAll('{{ subscriber.city | default: "town" }}', 'Lyon')}\n\nUnsubscribe: ${unsubscribe}`,
    headers: {
      'List-Unsubscribe': `<${unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'X-Herald-Delivery': '00000000-0000-4000-8000-000000000000',
    },
  };
}

interface RunFigures {
  seconds: number;
  perSecond: number;
  received: number;
  duplicates: number;
  bytesPerMessage: number;
  peakRssMb?: number;
}

async function waitForUnique(relay: Relay, count: number, timeoutMs: number): Promise<RelayStats> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await relay.stats();
    if (stats.unique >= count) return stats;
    if (Date.now() > deadline)
      throw new Error(`relay has ${String(stats.unique)} of ${String(count)}`);
    await sleep(100);
  }
}

async function runCeiling(
  relay: Relay,
  count: number,
  pool: number,
  dkim: { domainName: string; keySelector: string; privateKey: string } | undefined,
  run: string,
): Promise<RunFigures> {
  await relay.reset();
  const transport = createTransport({
    pool: true,
    host: '127.0.0.1',
    port: relay.port,
    secure: false,
    ignoreTLS: true,
    maxConnections: pool,
    maxMessages: Infinity,
    ...(dkim ? { dkim: { ...dkim, headerFieldNames: DKIM_SIGNED_HEADERS } } : {}),
  });
  const started = Date.now();
  // A few hundred messages in flight at a time, as the dispatcher has one batch in flight.
  let next = 0;
  const sender = async () => {
    while (next < count) {
      const i = next++;
      await transport.sendMail(ceilingMessage(i, run));
    }
  };
  await Promise.all(Array.from({ length: 200 }, sender));
  const stats = await waitForUnique(relay, count, 60_000);
  transport.close();
  const seconds = (stats.lastAt - started) / 1000;
  return {
    seconds,
    perSecond: count / seconds,
    received: stats.received,
    duplicates: stats.received - stats.unique,
    bytesPerMessage: Math.round(stats.bytes / stats.received),
  };
}

async function runBench(): Promise<void> {
  const deliveries = option('--deliveries', 50_000);
  const importRows = option('--rows', 100_000);
  const batchSize = option('--batch', 200);
  const pool = option('--pool', 5);
  const adminUrl = process.env.BENCH_DATABASE_URL;
  if (!adminUrl) throw new Error('set BENCH_DATABASE_URL to an admin URL of a PostgreSQL server');
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const dkim = { domainName: 'bakery.example', keySelector: 'herald', privateKey };

  const scratch = await createScratchDatabase(adminUrl);
  const relay = await startRelay();
  const logger = createLogger({ level: 'warn', pretty: false });
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: scratch.url,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'herald-bench-')),
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
    RATE_LIMIT_GENERAL_PER_MINUTE: '1000000',
    RATE_LIMIT_AI_PER_MINUTE: '1000000',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
  });
  const runtime = await createRuntime(config, logger, { queuePollingIntervalSeconds: 0.5 });
  const app = await buildApp({ ...runtime });
  const db = runtime.database.db;
  const workers: ChildProcess[] = [];
  try {
    let token = '';
    const call = async <T>(method: 'GET' | 'POST', url: string, payload?: object) => {
      const response = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload } : {}),
      });
      if (response.statusCode >= 300)
        throw new Error(`${url}: ${String(response.statusCode)} ${response.body.slice(0, 500)}`);
      return response.json<T>();
    };
    const auth = await call<{ accessToken: string }>('POST', '/api/v1/auth/register', {
      email: 'bench@example.com',
      password: 'Correct-Horse-9-battery',
      name: 'Bench',
    });
    token = auth.accessToken;
    const business = await call<{ id: string }>('POST', '/api/v1/businesses', {
      name: 'Blue Bottle Bakery',
      industry: 'Food & drink',
      audience: 'Busy parents in Lyon who want good bread',
      brandVoice: { tone: 'warm and plain', wordsToUse: ['fresh'], wordsToAvoid: ['cheap'] },
      channels: ['email'],
      timezone: 'Europe/Paris',
      defaultSender: { name: 'Blue Bottle', email: 'hello@bakery.example' },
    });
    const base = `/api/v1/businesses/${business.id}`;
    if (!args.includes('--broadcast-only'))
      await db.execute(sql`
        insert into subscribers (business_id, email, first_name, attributes, source)
        select ${business.id}::uuid, 'reader-' || g || '@example.org', 'Reader' || g,
               jsonb_build_object('city', 'Lyon'), 'bench'
        from generate_series(0, ${deliveries - 1}) as g`);

    /** One sequence of one step, all subscribers enrolled, dispatched by a fresh worker. */
    async function runHerald(signed: boolean): Promise<RunFigures> {
      await relay.reset();
      const sequence = await call<{ id: string }>('POST', `${base}/sequences`, {
        name: signed ? 'Bench (DKIM)' : 'Bench',
        steps: [{ subject: SUBJECT, preheader: PREHEADER, html: HTML, text: TEXT }],
      });
      await call('POST', `${base}/sequences/${sequence.id}/enrollments`, { filter: { all: true } });
      const worker = startWorker({
        DATABASE_URL: scratch.url,
        JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
        SMTP_URL: relay.url,
        SMTP_POOL_SIZE: String(pool),
        EMAIL_DISPATCH_BATCH_SIZE: String(batchSize),
        EMAIL_DISPATCH_INTERVAL_MS: '100',
        EMAIL_SEND_PER_MINUTE: '100000000',
        ...(signed
          ? {
              DKIM_DOMAIN: dkim.domainName,
              DKIM_SELECTOR: dkim.keySelector,
              DKIM_PRIVATE_KEY: privateKey,
            }
          : {}),
      });
      workers.push(worker.child);
      await worker.started;
      const started = Date.now();
      await call('POST', `${base}/sequences/${sequence.id}/activate`);
      const stats = await waitForUnique(relay, deliveries, 30 * 60_000);
      // Every delivery marked sent, then a moment for anything sent twice to arrive.
      for (;;) {
        const [row] = rowsOf<{ n: number }>(
          await db.execute(sql`
            select count(*)::int as n from deliveries
            where sequence_id = ${sequence.id}::uuid and status = 'sent'`),
        );
        if ((row?.n ?? 0) >= deliveries) break;
        await sleep(200);
      }
      await sleep(1000);
      const final = await relay.stats();
      const peak = peakRssMb(worker.child.pid);
      const exited = once(worker.child, 'exit');
      worker.child.kill('SIGTERM');
      await exited;
      const seconds = (stats.lastAt - started) / 1000;
      return {
        seconds,
        perSecond: deliveries / seconds,
        received: final.received,
        duplicates: final.received - final.unique,
        bytesPerMessage: Math.round(final.bytes / final.received),
        peakRssMb: peak,
      };
    }

    /** A broadcast to `count` subscribers of a business of their own, DKIM-signed. */
    async function runBroadcast(count: number): Promise<RunFigures> {
      const audience = await call<{ id: string }>('POST', '/api/v1/businesses', {
        name: 'Broadcast Bakery',
        timezone: 'Europe/Paris',
        defaultSender: { name: 'Blue Bottle', email: 'hello@bakery.example' },
      });
      const audienceBase = `/api/v1/businesses/${audience.id}`;
      for (let from = 0; from < count; from += 250_000) {
        await db.execute(sql`
          insert into subscribers (business_id, email, first_name, attributes, source)
          select ${audience.id}::uuid, 'fan-' || g || '@example.org', 'Reader' || g,
                 jsonb_build_object('city', 'Lyon'), 'bench'
          from generate_series(${from}::int, ${Math.min(count, from + 250_000) - 1}::int) as g`);
      }
      await db.execute(sql`analyze subscribers`);
      await relay.reset();
      const broadcast = await call<{ id: string }>('POST', `${audienceBase}/broadcasts`, {
        name: 'Bench broadcast',
        variants: [{ subject: SUBJECT, preheader: PREHEADER, html: HTML, text: TEXT }],
      });
      const worker = startWorker({
        DATABASE_URL: scratch.url,
        JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
        SMTP_URL: relay.url,
        SMTP_POOL_SIZE: String(pool),
        EMAIL_DISPATCH_BATCH_SIZE: String(batchSize),
        EMAIL_DISPATCH_INTERVAL_MS: '100',
        EMAIL_SEND_PER_MINUTE: '100000000',
        DKIM_DOMAIN: dkim.domainName,
        DKIM_SELECTOR: dkim.keySelector,
        DKIM_PRIVATE_KEY: privateKey,
      });
      workers.push(worker.child);
      await worker.started;
      const started = Date.now();
      await call('POST', `${audienceBase}/broadcasts/${broadcast.id}/schedule`, {});
      const stats = await waitForUnique(relay, count, 6 * 60 * 60_000);
      for (;;) {
        const view = await call<{ status: string }>(
          'GET',
          `${audienceBase}/broadcasts/${broadcast.id}`,
        );
        if (view.status === 'sent') break;
        await sleep(500);
      }
      await sleep(1000);
      const final = await relay.stats();
      const peak = peakRssMb(worker.child.pid);
      const exited = once(worker.child, 'exit');
      worker.child.kill('SIGTERM');
      await exited;
      const seconds = (stats.lastAt - started) / 1000;
      return {
        seconds,
        perSecond: count / seconds,
        received: final.received,
        duplicates: final.received - final.unique,
        bytesPerMessage: Math.round(final.bytes / final.received),
        peakRssMb: peak,
      };
    }

    if (args.includes('--broadcast')) {
      const count = option('--broadcast', 1_000_000);
      // The ceiling on at most 200,000 messages: its rate is steady well before that.
      const ceilingCount = Math.min(count, 200_000);
      const ceiling = await runCeiling(relay, ceilingCount, pool, dkim, 'broadcast');
      process.stdout.write(`ceiling, DKIM: ${ceiling.perSecond.toFixed(0)} emails/s\n`);
      const herald = await runBroadcast(count);
      const ratio = herald.perSecond / ceiling.perSecond;
      process.stdout.write(
        `broadcast to ${String(count)}: ${herald.perSecond.toFixed(0)} emails/s, ratio ${ratio.toFixed(2)}, peak RSS ${String(herald.peakRssMb)} MB, duplicates ${String(herald.duplicates)}\n`,
      );
      const table = markdownTable(
        [
          'run',
          'emails',
          'seconds',
          'emails/s',
          'ratio to ceiling (target ≥ 0.95)',
          'bytes/email',
          'peak RSS (target < 150 MB)',
          'duplicates (target 0)',
        ],
        [
          [
            'bare nodemailer, DKIM (RSA-2048)',
            ceilingCount,
            ceiling.seconds.toFixed(1),
            ceiling.perSecond.toFixed(0),
            '1.00',
            ceiling.bytesPerMessage,
            '',
            ceiling.duplicates,
          ],
          [
            'Herald broadcast, DKIM (RSA-2048)',
            count,
            herald.seconds.toFixed(1),
            herald.perSecond.toFixed(0),
            ratio.toFixed(2),
            herald.bytesPerMessage,
            `${String(herald.peakRssMb)} MB`,
            herald.duplicates,
          ],
        ],
      );
      const body = [
        `PostgreSQL ${await serverVersion(scratch.url)}; relay: \`smtp-server\` in its own process on loopback, counting by Message-ID; pool ${String(pool)} connections on both sides; Herald = one \`herald worker\` process (EMAIL_DISPATCH_BATCH_SIZE=${String(batchSize)}), timed from "send now" (recipients materialised by the worker with one INSERT … SELECT) to the last message accepted; 'Email Delivered' recorded per recipient. Peak RSS = the worker's VmHWM.`,
        '',
        table,
        '',
      ].join('\n');
      process.stdout.write(`\n${body}\n`);
      if (!args.includes('--no-append'))
        appendResults(
          'Email: broadcast dispatch (bench/email.ts --broadcast)',
          machineInfo(),
          body,
        );
      if (args.includes('--broadcast-only')) return;
    }

    const figures: [string, RunFigures][] = [];
    for (const signed of [false, true]) {
      const label = signed ? 'DKIM (RSA-2048)' : 'no DKIM';
      const ceiling = await runCeiling(relay, deliveries, pool, signed ? dkim : undefined, label);
      process.stdout.write(`ceiling, ${label}: ${ceiling.perSecond.toFixed(0)} emails/s\n`);
      figures.push([`bare nodemailer, ${label}`, ceiling]);
      const herald = await runHerald(signed);
      process.stdout.write(
        `herald, ${label}: ${herald.perSecond.toFixed(0)} emails/s, ratio ${(herald.perSecond / ceiling.perSecond).toFixed(2)}\n`,
      );
      figures.push([`Herald worker, ${label}`, herald]);
    }

    // CSV import: the API stores the file, a job in this process imports it.
    await runtime.queue.work(runtime.jobs);
    const lines = ['email,first_name,last_name,plan,city'];
    for (let i = 0; i < importRows; i++) {
      lines.push(`import-${String(i)}@example.net,First${String(i)},Last${String(i)},pro,Lyon`);
    }
    const csv = `${lines.join('\n')}\n`;
    const importStarted = Date.now();
    const accepted = await call<{ job: { id: string } }>('POST', `${base}/subscribers/import`, {
      csv,
    });
    let job: { status: string; result: Record<string, unknown> | null } = {
      status: 'queued',
      result: null,
    };
    while (job.status === 'queued' || job.status === 'running') {
      await sleep(200);
      job = await call('GET', `/api/v1/jobs/${accepted.job.id}`);
    }
    const importSeconds = (Date.now() - importStarted) / 1000;
    if (job.status !== 'succeeded') throw new Error(`import ${job.status}`);
    const imported = Number(job.result?.imported ?? 0);
    process.stdout.write(`import: ${(importRows / importSeconds).toFixed(0)} rows/s\n`);

    const ratio = (herald: RunFigures | undefined, ceiling: RunFigures | undefined) =>
      herald && ceiling ? (herald.perSecond / ceiling.perSecond).toFixed(2) : '?';
    const byLabel = new Map(figures);
    const table = markdownTable(
      [
        'run',
        'emails',
        'seconds',
        'emails/s',
        'ratio to ceiling (target ≥ 0.8)',
        'bytes/email',
        'peak RSS',
        'duplicates (target 0)',
      ],
      figures.map(([label, run]) => [
        label,
        deliveries,
        run.seconds.toFixed(1),
        run.perSecond.toFixed(0),
        label.startsWith('Herald')
          ? ratio(run, byLabel.get(label.replace('Herald worker', 'bare nodemailer')))
          : '1.00',
        run.bytesPerMessage,
        run.peakRssMb === undefined ? '' : `${String(run.peakRssMb)} MB`,
        run.duplicates,
      ]),
    );
    const importTable = markdownTable(
      ['CSV import', 'rows', 'imported', 'seconds', 'rows/s'],
      [
        [
          '5 columns, new subscribers',
          importRows,
          imported,
          importSeconds.toFixed(1),
          (importRows / importSeconds).toFixed(0),
        ],
      ],
    );
    const body = [
      `PostgreSQL ${await serverVersion(scratch.url)}; relay: \`smtp-server\` in its own process on loopback, counting by Message-ID; pool ${String(pool)} connections on both sides; Herald = one \`herald worker\` process (EMAIL_DISPATCH_BATCH_SIZE=${String(batchSize)}), timed from activation to the last message accepted; the ceiling = bare nodemailer pooled sends of messages of the same shape from the bench process. Peak RSS = the worker's VmHWM.`,
      '',
      table,
      '',
      importTable,
      '',
    ].join('\n');
    process.stdout.write(`\n${body}\n`);
    if (!args.includes('--no-append'))
      appendResults(
        'Email: sequence dispatch and CSV import (bench/email.ts)',
        machineInfo(),
        body,
      );
  } finally {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
    await app.close();
    await runtime.close();
    await relay.close();
    await scratch.drop();
  }
}

if (args[0] === '--relay') serveRelay();
else await runBench();
