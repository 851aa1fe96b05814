// bench/customers.ts: the dashboard's customer list (GET …/customers) on a PostgreSQL server
// holding a million customers and twenty million events (bench/lib/customer-data.ts makes them
// in SQL, resumably, so a rerun on the same database starts at once): the first page, a search
// and a filter, each under autocannon at dashboard-like concurrency, p50/p99 per query.
//
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5433/herald_customers npm run bench:customers
//
// Flags: --customers n, --events n (what to generate), --connections n, --seconds s, --note text,
// --no-append. The database is kept (generating it takes a while); drop it by hand.
import { parseArgs } from 'node:util';

import pg from 'pg';

import { generateCustomerData } from './lib/customer-data.ts';
import { runLoad } from './lib/load.ts';
import { machineInfo } from './lib/machine.ts';
import { serverVersion } from './lib/postgres.ts';
import { appendResults, markdownTable } from './lib/results.ts';
import { startServer } from './lib/server.ts';

const { values: flags } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    events: { type: 'string', default: '20000000' },
    connections: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '15' },
    note: { type: 'string' },
    'no-append': { type: 'boolean', default: false },
  },
});

const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!databaseUrl) {
  console.error('set BENCH_DATABASE_URL to a database this bench may fill and keep');
  process.exit(2);
}
const ACCOUNT = { email: 'bench-customers@example.com', password: 'Bench-Horse-9-battery' };

async function call<T>(url: string, method: string, body?: unknown, token?: string): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

// The rate limit would answer most of the load with 429s: it is not what this bench measures.
const server = await startServer({
  env: {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_GENERAL_PER_MINUTE: '100000000',
  },
});
try {
  // The bench's own account and business, made once and found again on later runs.
  let token: string;
  try {
    token = (
      await call<{ accessToken: string }>(`${server.url}/api/v1/auth/login`, 'POST', ACCOUNT)
    ).accessToken;
  } catch {
    token = (
      await call<{ accessToken: string }>(`${server.url}/api/v1/auth/register`, 'POST', {
        ...ACCOUNT,
        name: 'Bench',
      })
    ).accessToken;
  }
  const owned = await call<{ items: { id: string; name: string }[] }>(
    `${server.url}/api/v1/businesses`,
    'GET',
    undefined,
    token,
  );
  const businessId =
    owned.items.find((business) => business.name === 'Bench Shop')?.id ??
    (
      await call<{ id: string }>(
        `${server.url}/api/v1/businesses`,
        'POST',
        { name: 'Bench Shop', industry: 'Retail', audience: 'Shoppers', channels: ['email'] },
        token,
      )
    ).id;

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const started = performance.now();
  await generateCustomerData(client, businessId, {
    customers: Number(flags.customers),
    events: Number(flags.events),
    onProgress: (message) => {
      console.log(`${((performance.now() - started) / 1000).toFixed(0)} s  ${message}`);
    },
  });
  const sizes = (
    await client.query<{ customers: string; events: string }>(
      `SELECT (SELECT count(*) FROM customers WHERE business_id = $1) AS customers,
              (SELECT count(*) FROM event_ids WHERE business_id = $1) AS events`,
      [businessId],
    )
  ).rows[0];
  await client.end();

  const base = `${server.url}/api/v1/businesses/${businessId}/customers`;
  const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const queries = [
    { name: 'first page (most recently seen)', path: '?limit=25' },
    { name: 'search "person4242" (start of an email)', path: '?limit=25&search=person4242' },
    { name: 'search "Hopper" (name, many matches)', path: '?limit=25&search=Hopper' },
    {
      name: 'filter: has orders, seen in the last 30 days',
      path: `?limit=25&hasOrders=true&lastSeenAfter=${encodeURIComponent(monthAgo)}`,
    },
  ];
  const rows: (string | number)[][] = [];
  for (const query of queries) {
    await call(`${base}${query.path}`, 'GET', undefined, token);
    const result = await runLoad({
      url: `${base}${query.path}`,
      connections: Number(flags.connections),
      durationSeconds: Number(flags.seconds),
      headers: { authorization: `Bearer ${token}` },
    });
    if (result.non2xx + result.errors + result.timeouts > 0) {
      throw new Error(`${query.name}: ${JSON.stringify(result)}`);
    }
    rows.push([
      query.name,
      Math.round(result.requestsPerSecond),
      result.p50Ms,
      result.p99Ms,
      result.maxMs,
    ]);
    console.log(query.name, result);
  }
  const table = markdownTable(['query', 'req/s', 'p50 ms', 'p99 ms', 'max ms'], rows);
  const machine = machineInfo();
  const body = [
    `- ${Number(sizes?.customers ?? 0).toLocaleString('en-US')} customers (3 identities each, a third with 1–4 orders) and ${Number(sizes?.events ?? 0).toLocaleString('en-US')} events in one business, made by bench/lib/customer-data.ts`,
    `- PostgreSQL ${await serverVersion(databaseUrl)} on the same machine; Herald \`serve\` (NODE_ENV=production); autocannon ${flags.connections} connections, ${flags.seconds} s per query, authenticated as the owner`,
    '- target: p99 < 100 ms',
    ...(flags.note ? [`- ${flags.note}`] : []),
    '',
    table,
  ].join('\n');
  console.log(`\n${table}`);
  if (!flags['no-append']) appendResults('Customer list (bench/customers.ts)', machine, body);
} finally {
  await server.stop();
  server.cleanup();
}
