// HTTP throughput of a running Herald on the routes users call: autocannon (in its own process)
// against the health endpoints, the list and detail reads of a business with realistic volumes
// (1,000 campaigns, 200 pieces in a campaign, 100,000 subscribers, 30 sequences, AI jobs and their
// usage), each with a JWT and with an API key, and two reads without credentials (the queue-probe
// floor and the campaigns page) that show what authentication costs. On embedded PGlite and on a
// PostgreSQL server. Prints medians of several rounds with the CPU time each request costs the
// Herald process (and the PostgreSQL backends), and appends them to bench/RESULTS.md.
//
//   npm run bench:http                                   # PGlite, 3 × 10 s per scenario
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55433/postgres npm run bench:http -- --db both
//   npm run bench:http -- --duration 5 --rounds 1 --scenario campaigns-jwt,campaigns-public
//
// Flags: --db pglite|postgres|both, --database-url (an admin URL: a scratch database is created
// and dropped), --duration s, --rounds n, --warmup s, --log-level list, --scenario list (names;
// a read's name runs all its variants: `campaigns` is campaigns-jwt, -apikey and -public),
// --subscribers n, --env KEY=VALUE (extra server environment, repeatable), --note text, --no-append,
// --keep (leave the PostgreSQL scratch database, seeded, for profiling by hand).
import { parseArgs } from 'node:util';

import { type LoadResult, runLoad } from './lib/load.ts';
import { machineInfo } from './lib/machine.ts';
import {
  backendCpuSeconds,
  backendCpuSince,
  createScratchDatabase,
  type ScratchDatabase,
  serverVersion,
} from './lib/postgres.ts';
import { appendResults, markdownTable, median } from './lib/results.ts';
import {
  cpuSeconds,
  readMemory,
  type RunningServer,
  sampleRss,
  startServer,
} from './lib/server.ts';

/** What the seeding step leaves for scenarios to read and authenticate with. */
interface Seeded {
  userId: string;
  accessToken: string;
  apiKey: string;
  businessId: string;
  /** The campaign with CONTENT_PIECES pieces. */
  campaignId: string;
}

interface Scenario {
  name: string;
  /** As shown in the results; `url` builds the real one from seeded values. */
  path: string;
  url: (seeded: Seeded) => string;
  connections: number;
  /** Credentials, built from the seeded user. */
  headers?: (seeded: Seeded) => Record<string, string>;
}

const CAMPAIGNS = 1_000;
const CONTENT_PIECES = 200;
const SEQUENCES = 30;
const STRATEGY_JOBS = 40;
const PROBES = 100;
const CONNECTIONS = 50;

const jwt = (seeded: Seeded) => ({ authorization: `Bearer ${seeded.accessToken}` });
const apiKey = (seeded: Seeded) => ({ 'x-api-key': seeded.apiKey });
const inBusiness = (rest: string) => (seeded: Seeded) =>
  `/api/v1/businesses/${seeded.businessId}${rest.replaceAll('{campaignId}', seeded.campaignId)}`;

/** The reads users call; each runs with a JWT (`-jwt`) and with an API key (`-apikey`). */
const READS: { name: string; path: string; url: (seeded: Seeded) => string }[] = [
  {
    // The floor: a tiny row through the same stack (the queue probes of the system module).
    name: 'probes',
    path: '/api/v1/system/queue-probes?limit=20',
    url: () => '/api/v1/system/queue-probes?limit=20',
  },
  {
    name: 'campaigns',
    path: '…/campaigns?limit=20 (of 1,000)',
    url: inBusiness('/campaigns?limit=20'),
  },
  { name: 'campaign', path: '…/campaigns/{id}', url: inBusiness('/campaigns/{campaignId}') },
  {
    name: 'contents',
    path: '…/contents?campaignId=…&limit=20 (of 200)',
    url: inBusiness('/contents?campaignId={campaignId}&limit=20'),
  },
  {
    name: 'subscribers',
    path: '…/subscribers?limit=20 (of 100,000)',
    url: inBusiness('/subscribers?limit=20'),
  },
  {
    name: 'subscribers-search',
    path: '…/subscribers?limit=20&search=person-4242',
    url: inBusiness('/subscribers?limit=20&search=person-4242'),
  },
  {
    name: 'sequences',
    path: '…/sequences?limit=20 (of 30)',
    url: inBusiness('/sequences?limit=20'),
  },
  { name: 'jobs', path: '…/jobs?limit=20', url: inBusiness('/jobs?limit=20') },
  { name: 'ai-usage', path: '…/ai/usage (30 days)', url: inBusiness('/ai/usage') },
];

// Adding a scenario is one entry in READS (or here, for one without credentials).
const SCENARIOS: Scenario[] = [
  { name: 'live', path: '/health/live', url: () => '/health/live', connections: 10 },
  { name: 'health', path: '/health', url: () => '/health', connections: 10 },
  {
    // The same reads through the same services, without authentication: the baselines the
    // -jwt and -apikey reads are compared with (bench-only routes, serve-with-public-read.ts).
    name: 'probes-public',
    path: '/bench/queue-probes?limit=20&userId=…',
    url: (seeded) => `/bench/queue-probes?limit=20&userId=${seeded.userId}`,
    connections: CONNECTIONS,
  },
  {
    name: 'campaigns-public',
    path: '/bench/campaigns?limit=20&businessId=…&userId=…',
    url: (seeded) =>
      `/bench/campaigns?limit=20&businessId=${seeded.businessId}&userId=${seeded.userId}`,
    connections: CONNECTIONS,
  },
  ...READS.flatMap((read) => [
    { ...read, name: `${read.name}-jwt`, connections: CONNECTIONS, headers: jwt },
    { ...read, name: `${read.name}-apikey`, connections: CONNECTIONS, headers: apiKey },
  ]),
];

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string' },
    'database-url': { type: 'string' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    'log-level': { type: 'string', default: 'warn' },
    scenario: { type: 'string' },
    subscribers: { type: 'string', default: '100000' },
    env: { type: 'string', multiple: true, default: [] },
    note: { type: 'string' },
    'no-append': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

const adminUrl = flags['database-url'] ?? process.env.BENCH_DATABASE_URL;
const dbChoice = flags.db ?? (adminUrl ? 'both' : 'pglite');
if (!['pglite', 'postgres', 'both'].includes(dbChoice)) {
  throw new Error(`--db must be pglite, postgres or both (got ${dbChoice})`);
}
const databases = (dbChoice === 'both' ? ['pglite', 'postgres'] : [dbChoice]) as (
  'pglite' | 'postgres'
)[];
if (databases.includes('postgres') && !adminUrl) {
  throw new Error('--db postgres needs --database-url or BENCH_DATABASE_URL (an admin URL)');
}
const durationSeconds = Number(flags.duration);
const rounds = Number(flags.rounds);
const warmupSeconds = Number(flags.warmup);
const subscriberCount = Number(flags.subscribers);
const logLevels = flags['log-level'].split(',');
const chosen = flags.scenario?.split(',');
const scenarios = chosen
  ? SCENARIOS.filter((s) =>
      chosen.some((name) =>
        ['', '-jwt', '-apikey', '-public'].some((end) => s.name === name + end),
      ),
    )
  : SCENARIOS;
if (scenarios.length === 0) throw new Error(`no scenario matches ${String(flags.scenario)}`);
const extraEnv = Object.fromEntries(
  flags.env.map((pair) => {
    const at = pair.indexOf('=');
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);

async function call<T>(
  server: RunningServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<T> {
  const response = await fetch(server.url + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Runs `task(i)` for i in 0..count-1, `width` at a time. */
async function inParallel(
  count: number,
  width: number,
  task: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

interface Job {
  id: string;
  status: string;
}

async function waitForJobs(server: RunningServer, auth: Record<string, string>, ids: string[]) {
  for (const id of ids) {
    for (;;) {
      const job = await call<Job>(server, 'GET', `/api/v1/jobs/${id}`, auth);
      if (job.status === 'succeeded') break;
      if (job.status !== 'queued' && job.status !== 'running') {
        throw new Error(`seeding job ${id} ended ${job.status}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A user with a business and realistic data, all made through the public API. */
async function seed(server: RunningServer): Promise<Seeded> {
  const started = performance.now();
  const { accessToken, user } = await call<{ accessToken: string; user: { id: string } }>(
    server,
    'POST',
    '/api/v1/auth/register',
    {},
    { email: `bench-${Date.now()}@example.com`, password: 'Bench-Horse-9-battery', name: 'Bench' },
  );
  const auth = { authorization: `Bearer ${accessToken}` };
  const { key } = await call<{ key: string }>(server, 'POST', '/api/v1/auth/api-keys', auth, {
    name: 'bench',
    scopes: ['read'],
  });
  await inParallel(PROBES, 8, (i) =>
    call(server, 'POST', '/api/v1/system/queue-probes', auth, { note: `bench ${i}` }),
  );
  const business = await call<{ id: string }>(server, 'POST', '/api/v1/businesses', auth, {
    name: 'Bench Bakery',
    industry: 'Bakery',
    audience: 'Neighbours who love bread',
    channels: ['linkedin', 'email'],
  });
  const base = `/api/v1/businesses/${business.id}`;
  const campaignIds: string[] = [];
  await inParallel(CAMPAIGNS, 8, async (i) => {
    const campaign = await call<{ id: string }>(server, 'POST', `${base}/campaigns`, auth, {
      name: `Campaign ${i}`,
      goal: 'More visits to the bakery on weekdays',
      channels: ['linkedin', 'email'],
      budgetCents: 50_000,
      startDate: '2026-03-01',
      endDate: '2026-03-31',
    });
    campaignIds[i] = campaign.id;
  });
  const campaignId = campaignIds[0] ?? '';
  await inParallel(CONTENT_PIECES, 8, (i) =>
    call(server, 'POST', `${base}/contents`, auth, {
      campaignId,
      platform: 'linkedin',
      topic: `Weekday loaf ${i}`,
      callToAction: 'Come by before nine',
      plannedDate: '2026-03-10',
      body: { text: `Fresh sourdough every weekday morning, loaf ${i}. `.repeat(6) },
    }),
  );
  const step = (n: number) => ({
    delay: { value: n, unit: 'days' },
    subject: `Step ${n}, {{ subscriber.first_name | default: "friend" }}`,
    html: `<p>Hello {{ subscriber.first_name | default: "there" }}, here is step ${n}.</p>`,
  });
  await inParallel(SEQUENCES, 4, (i) =>
    call(server, 'POST', `${base}/sequences`, auth, {
      name: `Sequence ${i}`,
      steps: [step(0), step(2), step(5)],
    }),
  );
  // AI work through the builtin provider: jobs for the jobs list and usage rows for ai/usage.
  const jobIds: string[] = [];
  await inParallel(STRATEGY_JOBS, 4, async (i) => {
    const accepted = await call<{ job: Job }>(
      server,
      'POST',
      `${base}/campaigns/${campaignIds[i] ?? ''}/strategy`,
      auth,
      {},
    );
    jobIds.push(accepted.job.id);
  });
  const rows = Array.from(
    { length: subscriberCount },
    (_, i) => `person-${i}@example.com,Person,${i},bench`,
  );
  const csv = `email,first_name,last_name,source\n${rows.join('\n')}\n`;
  const imported = await call<{ job: Job }>(server, 'POST', `${base}/subscribers/import`, auth, {
    csv,
  });
  jobIds.push(imported.job.id);
  await waitForJobs(server, auth, jobIds);

  const seeded = { userId: user.id, accessToken, apiKey: key, businessId: business.id, campaignId };
  // Every read answers before any load: a scenario measuring 404s would be worthless.
  for (const read of READS) await call(server, 'GET', read.url(seeded), auth);
  const viaKey = await call<unknown>(server, 'GET', READS[1]?.url(seeded) ?? '', apiKey(seeded));
  const viaPublic = await call<unknown>(
    server,
    'GET',
    `/bench/campaigns?limit=20&businessId=${business.id}&userId=${user.id}`,
    {},
  );
  if (JSON.stringify(viaKey) !== JSON.stringify(viaPublic)) {
    throw new Error('the unauthenticated campaigns read does not answer the same data');
  }
  process.stderr.write(
    `seeded in ${Math.round((performance.now() - started) / 1000)} s: ${JSON.stringify(seeded)}\n`,
  );
  return seeded;
}

interface Round extends LoadResult {
  /** CPU milliseconds per request: the Herald process, and the PostgreSQL backends (or NaN). */
  heraldCpuMs: number;
  postgresCpuMs: number;
}

interface ScenarioFigures {
  db: string;
  logLevel: string;
  scenario: Scenario;
  runs: Round[];
  peakRssMb: number;
}

interface ServerFigures {
  db: string;
  logLevel: string;
  idleRssMb: number;
  afterLoadRssMb: number;
  hwmMb: number;
  startupMs: number;
}

async function benchOneServer(
  db: 'pglite' | 'postgres',
  logLevel: string,
): Promise<{ server: ServerFigures; scenarios: ScenarioFigures[] }> {
  let scratch: ScratchDatabase | undefined;
  if (db === 'postgres' && adminUrl) scratch = await createScratchDatabase(adminUrl);
  const server = await startServer({
    entry: ['bench/lib/serve-with-public-read.ts'],
    env: {
      LOG_LEVEL: logLevel,
      // The limiters still count every request; they just never refuse the load generator.
      RATE_LIMIT_GENERAL_PER_MINUTE: '1000000000',
      RATE_LIMIT_AI_PER_MINUTE: '1000000000',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
      ...extraEnv,
    },
  });
  try {
    // Idle: after start-up has settled, before any traffic.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const idleRssMb = readMemory(server.pid)?.rssMb ?? Number.NaN;
    const seeded = await seed(server);
    const results: ScenarioFigures[] = [];
    for (const scenario of scenarios) {
      const load = {
        url: server.url + scenario.url(seeded),
        connections: scenario.connections,
        headers: scenario.headers?.(seeded),
      };
      if (warmupSeconds > 0) await runLoad({ ...load, durationSeconds: warmupSeconds });
      const sampler = sampleRss(server.pid);
      const runs: Round[] = [];
      for (let round = 0; round < rounds; round++) {
        const heraldBefore = cpuSeconds(server.pid);
        const backendsBefore =
          scratch && adminUrl ? await backendCpuSeconds(adminUrl, scratch.url) : undefined;
        const result = await runLoad({ ...load, durationSeconds });
        const heraldCpu = cpuSeconds(server.pid) - heraldBefore;
        const postgresCpu =
          scratch && adminUrl && backendsBefore
            ? await backendCpuSince(adminUrl, scratch.url, backendsBefore)
            : Number.NaN;
        const perRequestMs = (seconds: number) => (seconds * 1000) / Math.max(1, result.total);
        runs.push({
          ...result,
          heraldCpuMs: perRequestMs(heraldCpu),
          postgresCpuMs: perRequestMs(postgresCpu),
        });
        const failed = result.non2xx + result.errors + result.timeouts;
        process.stderr.write(
          `${db} ${logLevel} ${scenario.name} round ${round + 1}: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, Herald CPU ${perRequestMs(heraldCpu).toFixed(3)} ms/req${failed > 0 ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''}\n`,
        );
      }
      results.push({ db, logLevel, scenario, runs, peakRssMb: sampler.stop() });
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const afterLoadRssMb = readMemory(server.pid)?.rssMb ?? Number.NaN;
    const hwmMb = readMemory(server.pid)?.hwmMb ?? Number.NaN;
    return {
      server: { db, logLevel, idleRssMb, afterLoadRssMb, hwmMb, startupMs: server.startupMs },
      scenarios: results,
    };
  } finally {
    const code = await server.stop();
    if (code !== 0) process.stderr.write(`server exited with ${code}; see ${server.logFile}\n`);
    else server.cleanup();
    if (flags.keep && scratch) {
      process.stderr.write(`kept the seeded database: ${scratch.url}\n`);
    } else {
      await scratch?.drop();
    }
  }
}

const mb = (value: number) => `${Math.round(value)} MB`;
const ms = (value: number) => `${Math.round(value * 10) / 10} ms`;
const cpuMs = (value: number) => (Number.isNaN(value) ? '—' : `${value.toFixed(3)} ms`);

const machine = machineInfo();
const pgVersion = databases.includes('postgres') && adminUrl ? await serverVersion(adminUrl) : '';
const serverRows: ServerFigures[] = [];
const scenarioRows: ScenarioFigures[] = [];
for (const db of databases) {
  for (const logLevel of logLevels) {
    const { server, scenarios: figures } = await benchOneServer(db, logLevel);
    serverRows.push(server);
    scenarioRows.push(...figures);
  }
}

const medianOf = (runs: Round[], pick: (run: Round) => number) => median(runs.map(pick));

const scenarioTable = markdownTable(
  [
    'db',
    'LOG_LEVEL',
    'scenario',
    'conns',
    'req/s',
    'p50',
    'p99',
    'rounds (req/s)',
    'Herald CPU / req',
    'PostgreSQL CPU / req',
    'peak RSS',
    'failed',
  ],
  scenarioRows.map(({ db, logLevel, scenario, runs, peakRssMb }) => [
    db,
    logLevel,
    `${scenario.name} \`${scenario.path}\``,
    scenario.connections,
    Math.round(medianOf(runs, (run) => run.requestsPerSecond)),
    ms(medianOf(runs, (run) => run.p50Ms)),
    ms(medianOf(runs, (run) => run.p99Ms)),
    runs.map((run) => Math.round(run.requestsPerSecond)).join(', '),
    cpuMs(medianOf(runs, (run) => run.heraldCpuMs)),
    cpuMs(medianOf(runs, (run) => run.postgresCpuMs)),
    mb(peakRssMb),
    runs.reduce((sum, run) => sum + run.non2xx + run.errors + run.timeouts, 0),
  ]),
);
const serverTable = markdownTable(
  [
    'db',
    'LOG_LEVEL',
    'start-up to ready',
    'idle RSS',
    'RSS 2 s after the load',
    'peak RSS (VmHWM)',
  ],
  serverRows.map((row) => [
    row.db,
    row.logLevel,
    ms(row.startupMs),
    mb(row.idleRssMb),
    mb(row.afterLoadRssMb),
    mb(row.hwmMb),
  ]),
);

/**
 * What authentication adds to each request: the same read with credentials against the
 * unauthenticated baseline, from throughput (the server's time per request at saturation)
 * and from the median latency.
 */
function authOverheadRows(): (string | number)[][] {
  const rows: (string | number)[][] = [];
  const find = (db: string, logLevel: string, name: string) =>
    scenarioRows.find(
      (row) => row.db === db && row.logLevel === logLevel && row.scenario.name === name,
    );
  for (const { db, logLevel } of serverRows) {
    for (const read of ['probes', 'campaigns']) {
      const baseline = find(db, logLevel, `${read}-public`);
      if (!baseline) continue;
      const baseRps = medianOf(baseline.runs, (run) => run.requestsPerSecond);
      const baseP50 = medianOf(baseline.runs, (run) => run.p50Ms);
      for (const name of [`${read}-jwt`, `${read}-apikey`]) {
        const authenticated = find(db, logLevel, name);
        if (!authenticated) continue;
        const rps = medianOf(authenticated.runs, (run) => run.requestsPerSecond);
        const p50 = medianOf(authenticated.runs, (run) => run.p50Ms);
        const overhead = (baseRps / rps - 1) * 100;
        rows.push([
          db,
          logLevel,
          name,
          `${Math.round(overhead * 10) / 10}%`,
          `${Math.round((1e6 / rps - 1e6 / baseRps) * 10) / 10} µs`,
          ms(p50 - baseP50),
          db === 'postgres' ? (overhead < 10 ? 'yes' : 'NO') : '—',
        ]);
      }
    }
  }
  return rows;
}
const overheadRows = authOverheadRows();
const overheadTable =
  overheadRows.length > 0
    ? markdownTable(
        [
          'db',
          'LOG_LEVEL',
          'authenticated read',
          'overhead vs the same read without credentials',
          'server time per request',
          'p50 difference',
          'under 10% (PostgreSQL target)',
        ],
        overheadRows,
      )
    : '';

const settings = [
  `${rounds} rounds × ${durationSeconds} s per scenario after a ${warmupSeconds} s warm-up; figures are medians of the rounds`,
  'autocannon runs in its own process on the same machine; the server is what `node src/main.ts serve` runs (NODE_ENV=production, in-process worker running) plus two bench-only routes, the reads without credentials (bench/lib/serve-with-public-read.ts)',
  'the rate limiters count every request but their allowance is raised so they never refuse the load',
  `seeded through the API: ${PROBES} queue probes; one business with ${CAMPAIGNS} campaigns, ${CONTENT_PIECES} pieces in one campaign, ${SEQUENCES} sequences of 3 steps, ${STRATEGY_JOBS} AI strategy jobs (builtin provider) and ${subscriberCount} subscribers (a CSV import)`,
  'CPU / req = the process CPU time (user + system, /proc) over a round divided by the requests it answered; PostgreSQL = the backends serving the scratch database',
  'auth overhead = how much more server time an authenticated read takes than the same read without credentials, from the median throughputs (1/req/s is the time per request of a saturated server)',
  ...(pgVersion ? [`PostgreSQL ${pgVersion} on the same machine, default settings`] : []),
  ...(flags.env.length > 0 ? [`extra server environment: ${flags.env.join(' ')}`] : []),
  ...(flags.note ? [flags.note] : []),
];
const body = [
  settings.map((line) => `- ${line}`).join('\n'),
  '',
  scenarioTable,
  '',
  ...(overheadTable ? [overheadTable, ''] : []),
  serverTable,
].join('\n');

process.stdout.write(`\n${body}\n`);
if (!flags['no-append']) {
  appendResults('HTTP throughput (bench/http.ts)', machine, body);
  process.stdout.write('\nappended to bench/RESULTS.md\n');
}
