// HTTP throughput of a running Herald: autocannon (in its own process) against the health
// endpoints and a 20-row database read, unauthenticated, with a JWT and with an API key, on
// embedded PGlite and on a PostgreSQL server. Prints medians of several rounds, the per-request
// cost of authentication, and appends them to bench/RESULTS.md.
//
//   npm run bench:http                                   # PGlite, 3 × 10 s per scenario
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55433/postgres npm run bench:http -- --db both
//   npm run bench:http -- --duration 5 --rounds 3 --log-level warn,info --scenario read-jwt
//
// Flags: --db pglite|postgres|both, --database-url (an admin URL: a scratch database is created
// and dropped), --duration s, --rounds n, --warmup s, --log-level list, --scenario list,
// --env KEY=VALUE (extra server environment, repeatable), --note text, --no-append.
import { parseArgs } from 'node:util';

import { type LoadResult, runLoad } from './lib/load.ts';
import { machineInfo } from './lib/machine.ts';
import { createScratchDatabase, type ScratchDatabase, serverVersion } from './lib/postgres.ts';
import { appendResults, markdownTable, median } from './lib/results.ts';
import { readMemory, type RunningServer, sampleRss, startServer } from './lib/server.ts';

/** What the seeding step leaves for scenarios to authenticate with. */
interface Seeded {
  userId: string;
  accessToken: string;
  apiKey: string;
}

interface Scenario {
  name: string;
  /** As shown in the results; `url` builds the real one when it needs seeded values. */
  path: string;
  url?: (seeded: Seeded) => string;
  connections: number;
  /** Credentials and other headers, built from the seeded user. */
  headers?: (seeded: Seeded) => Record<string, string>;
}

// Adding a scenario is one entry here (e.g. another authenticated list once it exists).
const SCENARIOS: Scenario[] = [
  { name: 'live', path: '/health/live', connections: 10 },
  { name: 'health', path: '/health', connections: 10 },
  {
    // The same read through the same service, without authentication: the baseline that
    // read-jwt and read-apikey are compared with (a bench-only route, serve-with-public-read.ts).
    name: 'read-public',
    path: '/bench/queue-probes?limit=20&userId=…',
    url: (seeded) => `/bench/queue-probes?limit=20&userId=${seeded.userId}`,
    connections: 50,
  },
  {
    name: 'read-jwt',
    path: '/api/v1/system/queue-probes?limit=20',
    connections: 50,
    headers: (seeded) => ({ authorization: `Bearer ${seeded.accessToken}` }),
  },
  {
    name: 'read-apikey',
    path: '/api/v1/system/queue-probes?limit=20',
    connections: 50,
    headers: (seeded) => ({ 'x-api-key': seeded.apiKey }),
  },
];

const SEEDED_PROBES = 100;

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string' },
    'database-url': { type: 'string' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    'log-level': { type: 'string', default: 'warn' },
    scenario: { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
    note: { type: 'string' },
    'no-append': { type: 'boolean', default: false },
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
const logLevels = flags['log-level'].split(',');
const chosen = flags.scenario?.split(',');
const scenarios = chosen ? SCENARIOS.filter((s) => chosen.includes(s.name)) : SCENARIOS;
const extraEnv = Object.fromEntries(
  flags.env.map((pair) => {
    const at = pair.indexOf('=');
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);

async function call(
  server: RunningServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(server.url + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A user, a read-only API key and SEEDED_PROBES rows, made through the public API. */
async function seed(server: RunningServer): Promise<Seeded> {
  const { accessToken, user } = (await call(
    server,
    'POST',
    '/api/v1/auth/register',
    {},
    {
      email: `bench-${Date.now()}@example.com`,
      password: 'Bench-Horse-9-battery',
      name: 'Bench',
    },
  )) as { accessToken: string; user: { id: string } };
  const auth = { authorization: `Bearer ${accessToken}` };
  const { key: apiKey } = (await call(server, 'POST', '/api/v1/auth/api-keys', auth, {
    name: 'bench',
    scopes: ['read'],
  })) as { key: string };
  for (let i = 0; i < SEEDED_PROBES; i++) {
    await call(server, 'POST', '/api/v1/system/queue-probes', auth, { note: `bench ${i}` });
  }
  const page = (await call(server, 'GET', '/api/v1/system/queue-probes?limit=20', auth)) as {
    items: unknown[];
  };
  if (page.items.length !== 20) throw new Error(`expected 20 rows, got ${page.items.length}`);
  const unauthenticated = await call(
    server,
    'GET',
    `/bench/queue-probes?limit=20&userId=${user.id}`,
    {},
  );
  if (JSON.stringify(unauthenticated) !== JSON.stringify(page)) {
    throw new Error('the unauthenticated read does not answer the same data');
  }
  return { userId: user.id, accessToken, apiKey };
}

interface ScenarioFigures {
  db: string;
  logLevel: string;
  scenario: Scenario;
  runs: LoadResult[];
  peakRssMb: number;
}

interface ServerFigures {
  db: string;
  logLevel: string;
  idleRssMb: number;
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
      // The limiter still counts every request; it just never refuses the load generator.
      RATE_LIMIT_GENERAL_PER_MINUTE: '1000000000',
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
        url: server.url + (scenario.url?.(seeded) ?? scenario.path),
        connections: scenario.connections,
        headers: scenario.headers?.(seeded),
      };
      if (warmupSeconds > 0) await runLoad({ ...load, durationSeconds: warmupSeconds });
      const sampler = sampleRss(server.pid);
      const runs: LoadResult[] = [];
      for (let round = 0; round < rounds; round++) {
        const result = await runLoad({ ...load, durationSeconds });
        runs.push(result);
        process.stderr.write(
          `${db} ${logLevel} ${scenario.name} round ${round + 1}: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms${result.non2xx + result.errors + result.timeouts > 0 ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''}\n`,
        );
      }
      results.push({ db, logLevel, scenario, runs, peakRssMb: sampler.stop() });
    }
    const hwmMb = readMemory(server.pid)?.hwmMb ?? Number.NaN;
    return {
      server: { db, logLevel, idleRssMb, hwmMb, startupMs: server.startupMs },
      scenarios: results,
    };
  } finally {
    const code = await server.stop();
    if (code !== 0) process.stderr.write(`server exited with ${code}; see ${server.logFile}\n`);
    else server.cleanup();
    await scratch?.drop();
  }
}

const mb = (value: number) => `${Math.round(value)} MB`;
const ms = (value: number) => `${Math.round(value * 10) / 10} ms`;

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
    'peak RSS',
    'failed',
  ],
  scenarioRows.map(({ db, logLevel, scenario, runs, peakRssMb }) => [
    db,
    logLevel,
    `${scenario.name} \`${scenario.path}\``,
    scenario.connections,
    Math.round(median(runs.map((run) => run.requestsPerSecond))),
    ms(median(runs.map((run) => run.p50Ms))),
    ms(median(runs.map((run) => run.p99Ms))),
    runs.map((run) => Math.round(run.requestsPerSecond)).join(', '),
    mb(peakRssMb),
    runs.reduce((sum, run) => sum + run.non2xx + run.errors + run.timeouts, 0),
  ]),
);
const serverTable = markdownTable(
  ['db', 'LOG_LEVEL', 'start-up to ready', 'idle RSS', 'peak RSS (VmHWM)'],
  serverRows.map((row) => [
    row.db,
    row.logLevel,
    ms(row.startupMs),
    mb(row.idleRssMb),
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
    const baseline = find(db, logLevel, 'read-public');
    if (!baseline) continue;
    const baseRps = median(baseline.runs.map((run) => run.requestsPerSecond));
    const baseP50 = median(baseline.runs.map((run) => run.p50Ms));
    for (const name of ['read-jwt', 'read-apikey']) {
      const authenticated = find(db, logLevel, name);
      if (!authenticated) continue;
      const rps = median(authenticated.runs.map((run) => run.requestsPerSecond));
      const p50 = median(authenticated.runs.map((run) => run.p50Ms));
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
          'overhead vs read-public',
          'server time per request',
          'p50 difference',
          'under 10% (PostgreSQL target)',
        ],
        overheadRows,
      )
    : '';

const settings = [
  `${rounds} rounds × ${durationSeconds} s per scenario after a ${warmupSeconds} s warm-up; figures are medians of the rounds`,
  'autocannon runs in its own process on the same machine; the server is what `node src/main.ts serve` runs (NODE_ENV=production, in-process worker running) plus one bench-only route, the unauthenticated read (bench/lib/serve-with-public-read.ts)',
  'the rate limiter counts every request but its allowance is raised so it never refuses the load',
  `${SEEDED_PROBES} queue probes seeded; the read is a \`?limit=20\` page of them (21 rows fetched): read-public without credentials, read-jwt and read-apikey authenticated`,
  'auth overhead = how much more server time an authenticated read takes than read-public, from the median throughputs (1/req/s is the time per request of a saturated server)',
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
