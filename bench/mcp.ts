// What MCP adds to a tool call (issue #19): the p50 of `list_campaigns` called with the official
// SDK client over Streamable HTTP (POST /mcp on a listening Herald, a bearer token), against the
// same service call in-process (`campaigns.list`, what the tool runs). Between the two, the MCP
// service's own share in-process (arguments, access check, metrics; the decision-log row is
// written after the answer, as over HTTP) shows
// how much is Herald's rules and how much is the transport. The client runs in the same process
// as the server (2 cores here), so its JSON work is counted in the HTTP figure.
// Prints a table and appends it to bench/RESULTS.md; target: < 5 ms added at p50.
//
//   npm run bench:mcp                                  # PGlite, in memory
//   npm run bench:mcp -- --database-url postgres://postgres@127.0.0.1:5433/postgres
//   npm run bench:mcp -- --calls 500 --no-append
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Principal } from '../src/platform/http/auth-guard.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { createRuntime } from '../src/runtime.ts';
import { machineInfo } from './lib/machine.ts';
import { createScratchDatabase, type ScratchDatabase } from './lib/postgres.ts';
import { appendResults, markdownTable } from './lib/results.ts';

const { values: flags } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    calls: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '50' },
    campaigns: { type: 'string', default: '20' },
    'no-append': { type: 'boolean', default: false },
  },
});
const CALLS = Number(flags.calls);
const WARMUP = Number(flags.warmup);
const CAMPAIGNS = Number(flags.campaigns);
const TARGET_MS = 5;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const ms = (value: number) => `${value.toFixed(2)} ms`;

async function timed(label: string, run: () => Promise<unknown>): Promise<number[]> {
  process.stderr.write(`${label}: ${String(WARMUP)} warm-up + ${String(CALLS)} calls…\n`);
  for (let i = 0; i < WARMUP; i += 1) await run();
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples;
}

// --- set-up: a listening Herald, one user, one business with a few campaigns ----------------
const scratch: ScratchDatabase | undefined = flags['database-url']
  ? await createScratchDatabase(flags['database-url'])
  : undefined;
const dbKind = scratch ? 'postgres' : 'pglite';
const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATA_DIR: `/tmp/herald-bench-mcp-${randomUUID()}`,
  ...(scratch ? { DATABASE_URL: scratch.url } : {}),
  RATE_LIMIT_GENERAL_PER_MINUTE: '1000000',
  RATE_LIMIT_AUTH_PER_MINUTE: '1000',
  SIGNUP_CONFIRM_BY_EMAIL: 'false',
  INTELLIGENCE_NIGHTLY_HOUR: 'off',
});
const logger = createLogger({ level: 'silent', pretty: false });
process.stderr.write(`creating the ${dbKind} database…\n`);
const runtime = await createRuntime(
  scratch ? config : { ...config, database: { kind: 'pglite', dataDir: 'memory://' } },
  logger,
  { startQueue: false, migrate: true, metrics: createMetrics({ defaultMetrics: false }) },
);
const app = await buildApp({ ...runtime });
const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });

const registered = await app.inject({
  method: 'POST',
  url: '/api/v1/auth/register',
  payload: {
    email: `bench-${randomUUID()}@example.com`,
    password: 'Correct-Horse-9-battery',
    name: 'Bench',
  },
});
const { accessToken, user } = registered.json<{ accessToken: string; user: { id: string } }>();
const headers = { authorization: `Bearer ${accessToken}` };
const business = (
  await app.inject({
    method: 'POST',
    url: '/api/v1/businesses',
    headers,
    payload: { name: 'Blue Bottle Bakery', industry: 'Food & drink', channels: ['instagram'] },
  })
).json<{ id: string }>();
for (let i = 0; i < CAMPAIGNS; i += 1) {
  await app.inject({
    method: 'POST',
    url: `/api/v1/businesses/${business.id}/campaigns`,
    headers,
    payload: {
      name: `Campaign ${String(i)}`,
      goal: 'Fill the shop on weekends',
      channels: ['instagram'],
    },
  });
}
const principal: Principal = { userId: user.id, via: 'jwt', scopes: ['read', 'write'] };
const args = { businessId: business.id, limit: 10 };

// --- the three measurements ------------------------------------------------------------------
const inProcess = await timed('in-process campaigns.list', () =>
  runtime.services.campaigns.list(principal, business.id, { limit: 10 }),
);
const mcpService = await timed('in-process mcp.callTool', async () => {
  const result = await runtime.services.mcp.callTool(principal, 'list_campaigns', args);
  if (result.isError) throw new Error(JSON.stringify(result));
});
const client = new Client({ name: 'herald-bench', version: '1.0.0' });
await client.connect(
  new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), { requestInit: { headers } }),
);
const overHttp = await timed('Streamable HTTP tools/call', async () => {
  const result = await client.callTool({ name: 'list_campaigns', arguments: args });
  if (result.isError) throw new Error(JSON.stringify(result));
});
await client.close();
await app.close();
await runtime.close();
await scratch?.drop();

// --- report ----------------------------------------------------------------------------------
const rows = [
  ['campaigns.list in-process (the service call)', inProcess],
  ['mcp.callTool in-process (+ arguments, access, metrics; log row after)', mcpService],
  ['tools/call over Streamable HTTP (SDK client → POST /mcp)', overHttp],
] as const;
const table = markdownTable(
  ['db', 'list_campaigns (limit 10)', 'p50', 'p95', 'p99'],
  rows.map(([label, samples]) => [
    dbKind,
    label,
    ms(percentile(samples, 50)),
    ms(percentile(samples, 95)),
    ms(percentile(samples, 99)),
  ]),
);
const added = percentile(overHttp, 50) - percentile(inProcess, 50);
const rules = percentile(mcpService, 50) - percentile(inProcess, 50);
const verdict = `- Added by MCP over Streamable HTTP at p50 on ${dbKind}: ${ms(added)} (of which Herald's MCP rules in-process ${ms(rules)}, the transport and the client ${ms(added - rules)}); target < ${String(TARGET_MS)} ms — ${added < TARGET_MS ? 'met' : 'not met'}.`;
const load = loadavg()
  .map((value) => value.toFixed(1))
  .join(', ');
const body = `${String(CALLS)} sequential calls after ${String(WARMUP)} warm-up, one business with ${String(CAMPAIGNS)} campaigns; client and server in one process; load average at the end ${load} (other work shares the machine).\n\n${table}\n\n${verdict}\n`;
process.stdout.write(`\n${body}\n`);
if (!flags['no-append']) {
  appendResults('MCP: tool-call overhead over Streamable HTTP (bench/mcp.ts)', machineInfo(), body);
  process.stderr.write('appended to bench/RESULTS.md\n');
}
