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
//   npm run bench:mcp -- --calls 500 --rounds 5 --no-append
// Each round measures the three in turn; the figures are the medians of the rounds' percentiles
// (the machine is shared, and one round's p50 moves by a few ms).
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
import { appendResults, markdownTable, median } from './lib/results.ts';

const { values: flags } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    calls: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '50' },
    campaigns: { type: 'string', default: '20' },
    'no-append': { type: 'boolean', default: false },
  },
});
const CALLS = Number(flags.calls);
const ROUNDS = Number(flags.rounds);
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

// --- the three measurements, in rounds -------------------------------------------------------
const client = new Client({ name: 'herald-bench', version: '1.0.0' });
await client.connect(
  new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), { requestInit: { headers } }),
);
const measured = {
  inProcess: [] as number[][],
  mcpService: [] as number[][],
  overHttp: [] as number[][],
};
for (let round = 1; round <= ROUNDS; round += 1) {
  process.stderr.write(`round ${String(round)} of ${String(ROUNDS)}\n`);
  measured.inProcess.push(
    await timed('in-process campaigns.list', () =>
      runtime.services.campaigns.list(principal, business.id, { limit: 10 }),
    ),
  );
  measured.mcpService.push(
    await timed('in-process mcp.callTool', async () => {
      const result = await runtime.services.mcp.callTool(principal, 'list_campaigns', args);
      if (result.isError) throw new Error(JSON.stringify(result));
    }),
  );
  await runtime.services.mcp.flush();
  measured.overHttp.push(
    await timed('Streamable HTTP tools/call', async () => {
      const result = await client.callTool({ name: 'list_campaigns', arguments: args });
      if (result.isError) throw new Error(JSON.stringify(result));
    }),
  );
  await runtime.services.mcp.flush();
}
await client.close();
await app.close();
await runtime.close();
await scratch?.drop();

// --- report ----------------------------------------------------------------------------------
/** The median over the rounds of each round's percentile. */
const over = (rounds: number[][], p: number) =>
  median(rounds.map((samples) => percentile(samples, p)));
const rows = [
  ['campaigns.list in-process (the service call)', measured.inProcess],
  ['mcp.callTool in-process (+ arguments, access, metrics; log row after)', measured.mcpService],
  ['tools/call over Streamable HTTP (SDK client → POST /mcp)', measured.overHttp],
] as const;
const table = markdownTable(
  ['db', 'list_campaigns (limit 10)', 'p50', 'p95', 'p99'],
  rows.map(([label, rounds]) => [
    dbKind,
    label,
    ms(over(rounds, 50)),
    ms(over(rounds, 95)),
    ms(over(rounds, 99)),
  ]),
);
const added = over(measured.overHttp, 50) - over(measured.inProcess, 50);
const rules = over(measured.mcpService, 50) - over(measured.inProcess, 50);
const verdict = `- Added by MCP over Streamable HTTP at p50 on ${dbKind}: ${ms(added)} (of which Herald's MCP rules in-process ${ms(rules)}, the transport and the client ${ms(added - rules)}); target < ${String(TARGET_MS)} ms — ${added < TARGET_MS ? 'met' : 'not met'}.`;
const load = loadavg()
  .map((value) => value.toFixed(1))
  .join(', ');
const body = `Medians of ${String(ROUNDS)} rounds of ${String(CALLS)} sequential calls (each after ${String(WARMUP)} warm-up), one business with ${String(CAMPAIGNS)} campaigns; client and server in one process; load average at the end ${load} (other work shares the machine).\n\n${table}\n\n${verdict}\n`;
process.stdout.write(`\n${body}\n`);
if (!flags['no-append']) {
  appendResults('MCP: tool-call overhead over Streamable HTTP (bench/mcp.ts)', machineInfo(), body);
  process.stderr.write('appended to bench/RESULTS.md\n');
}
