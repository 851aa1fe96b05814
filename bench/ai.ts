// The AI layer's own cost and its repair rate, against the loopback fake OpenAI-compatible
// server (test/helpers/fake-llm.ts), on a fresh in-memory PGlite:
//   1. overhead: ai.run (business context and budget query, prompt, breaker, parse + validate,
//      an ai_calls row, metrics) against a direct AI SDK call with the same prompt and schema to
//      the same server, interleaved call by call; also ai.run on the builtin provider;
//   2. repair: each case of bench/data/malformed-outputs.json served once (no retries): the
//      repairable ones must come back equal to their expected value, the others must fail with
//      AI_OUTPUT_INVALID (so nothing unvalidated is ever stored).
// Prints the figures and appends them to bench/RESULTS.md.
//
//   npm run bench:ai                          # 2,000 calls each after 200 warm-up calls
//   npm run bench:ai -- --calls 500 --no-append
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual, parseArgs } from 'node:util';

import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, Output } from 'ai';

import { jsonSchemaOf } from '../src/ai/json-schema.ts';
import { buildPrompt } from '../src/ai/prompts/index.ts';
import { createBuiltinProvider } from '../src/ai/providers/builtin.ts';
import { createProviders } from '../src/ai/providers/index.ts';
import { createAi } from '../src/ai/run.ts';
import { defineTask } from '../src/ai/tasks.ts';
import { loadConfig } from '../src/config.ts';
import { BreakerRegistry } from '../src/platform/breaker.ts';
import { businesses, users } from '../src/platform/db/schema/index.ts';
import { AppError } from '../src/platform/http/errors.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { createRuntime } from '../src/runtime.ts';
import { startFakeLlm } from '../test/helpers/fake-llm.ts';
import { CorpusPost, loadCorpus } from './data/corpus.ts';
import { machineInfo } from './lib/machine.ts';
import { appendResults, markdownTable, median } from './lib/results.ts';

const { values: flags } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '200' },
    note: { type: 'string' },
    'no-append': { type: 'boolean', default: false },
  },
});
const calls = Number(flags.calls);
const warmup = Number(flags.warmup);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const ms = (value: number) => `${value.toFixed(3)} ms`;

const POST = {
  headline: 'Spring menu is here',
  body: 'Fresh asparagus, wild garlic and our new rye. Come by this week.',
  hashtags: ['spring', 'bakery'],
};

// --- set-up: the fake, a migrated in-memory database, one user and business ---------------
const fake = await startFakeLlm();
fake.otherwise({ content: JSON.stringify(POST), promptTokens: 400, completionTokens: 60 });
const env = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATA_DIR: `/tmp/herald-bench-ai-${randomUUID()}`,
  LLM_PROVIDER: 'openai-compatible',
  LLM_BASE_URL: fake.baseUrl,
  LLM_API_KEY: 'bench',
  LLM_MODEL_FAST: 'fake-fast',
  LLM_PRICES: JSON.stringify({ 'fake-fast': { input: 0.15, output: 0.6 } }),
  AI_DAILY_BUDGET_USD: '100000',
};
const config = loadConfig(env);
const logger = createLogger({ level: 'silent', pretty: false });
process.stderr.write('creating an in-memory database…\n');
const runtime = await createRuntime(
  { ...config, database: { kind: 'pglite', dataDir: 'memory://' } },
  logger,
  { startQueue: false, migrate: true, metrics: createMetrics({ defaultMetrics: false }) },
);
const db = runtime.database.db;
const [user] = await db
  .insert(users)
  .values({ email: `bench-${randomUUID()}@example.com`, name: 'Bench', passwordHash: 'x' })
  .returning({ id: users.id });
const [business] = await db
  .insert(businesses)
  .values({
    ownerId: user?.id ?? '',
    name: 'Blue Bottle Bakery',
    industry: 'Food & drink',
    audience: 'Busy parents in Lyon who want good bread',
    brandVoice: { tone: 'warm and plain', wordsToUse: ['fresh'], wordsToAvoid: ['cheap'] },
    channels: ['instagram', 'email'],
    writeKey: `wk_bench_${randomUUID()}`,
  })
  .returning({ id: businesses.id });
const businessId = business?.id ?? '';
const userId = user?.id ?? null;
const options = { businessId, userId };
// A task with no builtin template: the builtin provider fills its schema.
const socialPost = defineTask<Record<string, never>, CorpusPost>({
  name: 'social-post',
  tier: 'fast',
  prompt: {
    role: 'an experienced marketer working for the business',
    instructions: [
      'Complete the task "social-post" for the business in the business_profile data block, using the task_input data block.',
    ],
  },
  output: CorpusPost,
});

// --- 1. overhead -----------------------------------------------------------------------------
const ai = runtime.services.ai;
const builtinAi = createAi({
  db,
  llm: config.llm,
  breakers: new BreakerRegistry(),
  metrics: createMetrics({ defaultMetrics: false }),
  logger,
  providers: { primary: createBuiltinProvider() },
});
// The direct call sends what ai.run sends: the same prompt and JSON schema, no retries.
const jsonSchema = jsonSchemaOf(CorpusPost);
const profile = {
  name: 'Blue Bottle Bakery',
  industry: 'Food & drink',
  audience: 'Busy parents in Lyon who want good bread',
  products: [],
  goals: [],
  brandVoice: { tone: 'warm and plain', wordsToUse: ['fresh'], wordsToAvoid: ['cheap'] },
  channels: ['instagram', 'email'],
};
const prompt = buildPrompt({ task: socialPost, business: profile, input: {}, jsonSchema });
const model = createOpenAICompatible({
  name: 'openai-compatible',
  baseURL: fake.baseUrl,
  apiKey: 'bench',
  supportsStructuredOutputs: true,
}).chatModel('fake-fast');
const output = {
  ...Output.text(),
  name: 'object',
  responseFormat: Promise.resolve({ type: 'json' as const, schema: jsonSchema, name: 'post' }),
};

async function directCall(): Promise<void> {
  const result = await generateText({
    model,
    instructions: prompt.system,
    messages: prompt.messages,
    output,
    maxRetries: 0,
    providerOptions: { openaiCompatible: { strictJsonSchema: false } },
  });
  CorpusPost.parse(JSON.parse(result.text));
}
const viaAi = () => ai.run(socialPost, {}, options);
const viaBuiltin = () => builtinAi.run(socialPost, {}, options);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

process.stderr.write(`warming up (${warmup} calls each)…\n`);
for (let i = 0; i < warmup; i++) {
  await directCall();
  await viaAi();
  await viaBuiltin();
}
process.stderr.write(`measuring (${calls} calls each, interleaved)…\n`);
const direct: number[] = [];
const orchestrated: number[] = [];
const builtinTimes: number[] = [];
const paired: number[] = [];
for (let i = 0; i < calls; i++) {
  // Alternate the order so neither side always runs on a warmer cache.
  if (i % 2 === 0) {
    const a = await time(directCall);
    const b = await time(viaAi);
    direct.push(a);
    orchestrated.push(b);
    paired.push(b - a);
  } else {
    const b = await time(viaAi);
    const a = await time(directCall);
    direct.push(a);
    orchestrated.push(b);
    paired.push(b - a);
  }
  builtinTimes.push(await time(viaBuiltin));
}
const overheadP50 = median(orchestrated) - median(direct);

// --- 2. repair rate over the corpus ----------------------------------------------------------
const corpus = loadCorpus();
const once = createAi({
  db,
  llm: { ...config.llm, maxRetries: 0 },
  breakers: new BreakerRegistry(),
  metrics: createMetrics({ defaultMetrics: false }),
  logger,
  providers: createProviders(config.llm),
});
let repaired = 0;
let rejected = 0;
const misses: string[] = [];
for (const testCase of corpus) {
  fake.script({ content: testCase.output });
  try {
    const { value } = await once.run(socialPost, {}, options);
    if (testCase.repairable && isDeepStrictEqual(value, testCase.expected)) repaired++;
    else {
      misses.push(
        `${testCase.id}: ${testCase.repairable ? 'repaired to the wrong value' : 'accepted'}`,
      );
    }
  } catch (error) {
    const code = error instanceof AppError ? error.code : String(error);
    if (!testCase.repairable && code === 'AI_OUTPUT_INVALID') rejected++;
    else misses.push(`${testCase.id}: ${code}`);
  }
}
const repairable = corpus.filter((c) => c.repairable).length;
const unrepairable = corpus.length - repairable;

// --- report ----------------------------------------------------------------------------------
const machine = machineInfo();
const overheadTable = markdownTable(
  ['path', 'calls', 'p50', 'p90', 'p99'],
  [
    [
      'direct AI SDK call → fake',
      calls,
      ms(median(direct)),
      ms(percentile(direct, 90)),
      ms(percentile(direct, 99)),
    ],
    [
      'ai.run → fake',
      calls,
      ms(median(orchestrated)),
      ms(percentile(orchestrated, 90)),
      ms(percentile(orchestrated, 99)),
    ],
    [
      'ai.run → builtin (no network)',
      calls,
      ms(median(builtinTimes)),
      ms(percentile(builtinTimes, 90)),
      ms(percentile(builtinTimes, 99)),
    ],
  ],
);
const repairTable = markdownTable(
  ['corpus', 'cases', 'handled as required', 'rate'],
  [
    [
      'repairable → expected value',
      repairable,
      repaired,
      `${((repaired / repairable) * 100).toFixed(1)} %`,
    ],
    [
      'not repairable → AI_OUTPUT_INVALID',
      unrepairable,
      rejected,
      `${((rejected / unrepairable) * 100).toFixed(1)} %`,
    ],
  ],
);
const body = [
  `- ${calls} calls per path after ${warmup} warm-up calls, interleaved; the fake answers at once from the same process; embedded PGlite in memory`,
  `- **overhead of ai.run at p50: ${ms(overheadP50)}** (median of paired differences ${ms(median(paired))}; target < 2 ms)`,
  `- corpus: ${corpus.length} malformed outputs in bench/data/malformed-outputs.json, one attempt each`,
  ...(misses.length > 0 ? [`- misses: ${misses.join('; ')}`] : ['- misses: none']),
  ...(flags.note ? [`- ${flags.note}`] : []),
  '',
  overheadTable,
  '',
  repairTable,
].join('\n');

process.stdout.write(`\n${body}\n`);
if (!flags['no-append']) {
  appendResults('AI orchestration overhead and repair (bench/ai.ts)', machine, body);
  process.stdout.write('\nappended to bench/RESULTS.md\n');
}
await runtime.close();
await fake.close();
