// Every setting Herald reads, from environment variables (and an optional `.env`), validated once
// at start-up. A bad value stops the process with a message naming the variable.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL');

const redisUrl = z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL');

const commaSeparated = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

const jsonFromEnv = z.string().transform((value, context) => {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    context.addIssue({ code: 'custom', message: 'expected JSON' });
    return z.NEVER;
  }
});

/** A model's price in USD per million tokens, e.g. `{"input":0.15,"output":0.6}`. */
const ModelPrice = z.object({ input: z.number().min(0), output: z.number().min(0) });

/** The environment as Herald reads it; each key is the variable's name. */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: redisUrl.optional(),
  JWT_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  JWT_PREVIOUS_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default('herald'),
  JWT_AUDIENCE: z.string().min(1).default('herald-api'),
  JWT_ACCESS_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  API_KEY_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  RATE_LIMIT_GENERAL_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  RATE_LIMIT_AI_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  CHAT_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  CHAT_TOKENS_PER_DAY: z.coerce.number().int().min(1).default(100_000),
  CHAT_ACTION_TTL_MINUTES: z.coerce.number().int().min(1).max(10_080).default(30),
  RATE_LIMIT_AUTH_PER_MINUTE: z.coerce.number().int().min(1).default(5),
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  TRACKING_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(1).default(200),
  SIGNUP_CONFIRM_BY_EMAIL: booleanFromEnv.optional(),
  REGISTRATION: z.enum(['open', 'invite', 'closed']).default('open'),
  ADMIN_EMAIL: z
    .email()
    .transform((email) => email.trim().toLowerCase())
    .optional(),
  LOGIN_LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).default(5),
  LOGIN_LOCKOUT_MINUTES: z.coerce.number().int().min(1).default(15),
  LLM_PROVIDER: z.enum(['builtin', 'openai', 'anthropic', 'openai-compatible']).default('builtin'),
  LLM_BASE_URL: z.url().optional(),
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_MODEL_FAST: z.string().min(1).optional(),
  LLM_MODEL_STRONG: z.string().min(1).optional(),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** The provider's embedding model; openai defaults to text-embedding-3-small. */
  LLM_EMBEDDING_MODEL: z.string().min(1).optional(),
  /** Length of the provider's embedding vectors (sent as `dimensions`). */
  EMBEDDING_DIMENSIONS: z.coerce.number().int().min(16).max(4096).default(256),
  AI_DAILY_BUDGET_USD: z.coerce.number().min(0).default(5),
  AI_TRANSCRIPT_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  LLM_FALLBACK_PROVIDER: z.enum(['builtin', 'openai', 'anthropic', 'openai-compatible']).optional(),
  LLM_FALLBACK_BASE_URL: z.url().optional(),
  LLM_FALLBACK_API_KEY: z.string().min(1).optional(),
  LLM_FALLBACK_MODEL_FAST: z.string().min(1).optional(),
  LLM_FALLBACK_MODEL_STRONG: z.string().min(1).optional(),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  LLM_DEADLINE_MS: z.coerce.number().int().min(100).default(90_000),
  LLM_RETRY_BASE_DELAY_MS: z.coerce.number().int().min(0).default(500),
  LLM_RETRY_MAX_DELAY_MS: z.coerce.number().int().min(0).default(10_000),
  LLM_BREAKER_FAILURES: z.coerce.number().int().min(1).default(5),
  LLM_BREAKER_HALF_OPEN_MS: z.coerce.number().int().min(10).default(30_000),
  SEARCH_PROVIDER: z.enum(['serpapi', 'brave']).optional(),
  SEARCH_API_KEY: z.string().min(1).optional(),
  SEARCH_BASE_URL: z.url().optional(),
  SEARCH_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  LLM_PRICES: jsonFromEnv
    .pipe(z.record(z.string().min(1), ModelPrice))
    .optional()
    .describe('Per-model prices in USD per million tokens, merged over the built-in table'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'expected an smtp:// or smtps:// URL')
    .optional(),
  EMAIL_FROM: z.string().min(3).default('Herald <herald@localhost>'),
  SMTP_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  DKIM_DOMAIN: z.string().min(1).optional(),
  DKIM_SELECTOR: z.string().min(1).optional(),
  DKIM_PRIVATE_KEY: z.string().min(1).optional(),
  EMAIL_SEND_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  EMAIL_DISPATCH_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
  EMAIL_DISPATCH_INTERVAL_MS: z.coerce.number().int().min(50).default(5000),
  EMAIL_DISPATCH_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  EMAIL_CLAIM_TIMEOUT_SECONDS: z.coerce.number().int().min(5).default(300),
  /** How often the segment refresh looks for segments whose customers changed. */
  SEGMENT_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** The hour (0–23, in each business's time zone) of the nightly intelligence run; off: none. */
  INTELLIGENCE_NIGHTLY_HOUR: z
    .union([z.literal('off'), z.coerce.number().int().min(0).max(23)])
    .default(3),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: booleanFromEnv.optional(),
  CORS_ORIGINS: commaSeparated.default([]),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  TRUST_PROXY: z.string().default('false'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  PUBLISH_WEBHOOK_ALLOW_PRIVATE: booleanFromEnv.default(false),
  PUBLISH_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
  PUBLISH_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  PUBLISH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  PUBLISH_RETRY_BASE_MS: z.coerce.number().int().min(0).default(5000),
  PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  RUN_MIGRATIONS: booleanFromEnv.default(true),
  WRITE_KEY_GRACE_HOURS: z.coerce.number().min(0).max(8760).default(24),
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  /** Every outbound breaker but the LLM providers' (SMTP, webhooks, Slack, search, connectors). */
  CIRCUIT_BREAKER_FAILURE_THRESHOLD: z.coerce.number().int().min(1).default(5),
  CIRCUIT_BREAKER_RECOVERY_TIMEOUT: z.coerce.number().min(0.01).default(60),
  CIRCUIT_BREAKER_HALF_OPEN_MAX_CALLS: z.coerce.number().int().min(1).default(3),
  /** AES-256-GCM key for stored credentials (base64 of 32 bytes); generated into DATA_DIR if unset. */
  ENCRYPTION_KEY: z.string().min(1).optional(),
  /** Earlier ENCRYPTION_KEYs, comma-separated: values they sealed are read and re-sealed. */
  ENCRYPTION_KEY_PREVIOUS: commaSeparated.default([]),
  SLACK_CLIENT_ID: z.string().min(1).optional(),
  SLACK_CLIENT_SECRET: z.string().min(1).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  /** Slack's Web API and OAuth host; a local fake in tests, a proxy in some deployments. */
  SLACK_API_URL: z.url().default('https://slack.com'),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Deliveries in a row that fail for good before an endpoint is disabled. */
  WEBHOOK_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(1).default(5),
  /** Whether `/mcp` is served (Streamable HTTP); `herald mcp` (stdio) forwards to it. */
  MCP_ENABLED: booleanFromEnv.default(true),
});

export type Env = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {
  readonly issues: { variable: string; message: string }[];

  constructor(issues: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        issues.map((issue) => `  ${issue.variable}: ${issue.message}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Reads `.env` from the working directory if there is one; real environment variables win. */
export function readDotenv(cwd = process.cwd()): Record<string, string> {
  const file = path.join(cwd, '.env');
  return existsSync(file) ? parseDotenv(readFileSync(file)) : {};
}

function parseTrustProxy(value: string): boolean | string {
  if (value === 'true') return true;
  if (value === 'false' || value === '') return false;
  return value; // a comma-separated list of addresses/CIDRs, or a hop count, as fastify accepts
}

/**
 * The environment turned into the configuration object every part of Herald receives. Its output
 * is the `Config` type, so the shape is written once, here.
 */
export const ConfigSchema = EnvSchema.transform((env, context) => {
  const dataDir = path.resolve(env.DATA_DIR);
  if (env.SEARCH_PROVIDER && !env.SEARCH_API_KEY) {
    context.addIssue({
      code: 'custom',
      path: ['SEARCH_API_KEY'],
      message: `required when SEARCH_PROVIDER is set (the ${env.SEARCH_PROVIDER} API key)`,
    });
  }
  return {
    env: env.NODE_ENV,
    http: {
      port: env.PORT,
      host: env.HOST,
      publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      corsOrigins: env.CORS_ORIGINS,
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
    },
    dataDir,
    database: env.DATABASE_URL
      ? { kind: 'postgres' as const, url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX }
      : { kind: 'pglite' as const, dataDir: path.join(dataDir, 'pglite') },
    redisUrl: env.REDIS_URL,
    auth: {
      /** Unset: generated once and kept in DATA_DIR (see modules/auth/credentials.ts). */
      jwtSecret: env.JWT_SECRET,
      /** Still accepted when verifying access tokens (during a JWT_SECRET rotation); never signs. */
      jwtPreviousSecret: env.JWT_PREVIOUS_SECRET,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTtlSeconds: env.JWT_ACCESS_TTL_SECONDS,
      refreshTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
      apiKeyCacheTtlSeconds: env.API_KEY_CACHE_TTL_SECONDS,
      lockoutThreshold: env.LOGIN_LOCKOUT_THRESHOLD,
      lockoutMinutes: env.LOGIN_LOCKOUT_MINUTES,
      /** Register answers 202 and confirms by email (default: when SMTP_URL is set). */
      signupConfirmByEmail: env.SIGNUP_CONFIRM_BY_EMAIL ?? env.SMTP_URL !== undefined,
      /** Who may register: anyone, an invited email only, or nobody (the first account always may). */
      registration: env.REGISTRATION,
      /** This account is made an instance administrator when it registers or signs in. */
      adminEmail: env.ADMIN_EMAIL,
    },
    agents: {
      /** Messages to the marketing agents per user per minute. */
      requestsPerMinute: env.CHAT_REQUESTS_PER_MINUTE,
      /** Model tokens (prompt + completion) a user's chat turns may use per UTC day. */
      tokensPerDay: env.CHAT_TOKENS_PER_DAY,
      /** How long an action the agents proposed waits for the user's confirmation. */
      actionTtlMinutes: env.CHAT_ACTION_TTL_MINUTES,
    },
    rateLimits: {
      generalPerMinute: env.RATE_LIMIT_GENERAL_PER_MINUTE,
      aiPerMinute: env.RATE_LIMIT_AI_PER_MINUTE,
      authPerMinute: env.RATE_LIMIT_AUTH_PER_MINUTE,
      /** Failed bearer-token / API-key attempts per client address before 429. */
      failedAuthPerMinute: env.RATE_LIMIT_FAILED_AUTH_PER_MINUTE,
      /** Segment API requests per second per write key (all Herald processes together with Redis). */
      trackingPerSecond: env.TRACKING_RATE_LIMIT_PER_SECOND,
    },
    llm: {
      provider: env.LLM_PROVIDER,
      baseUrl: env.LLM_BASE_URL,
      apiKey: env.LLM_API_KEY,
      modelFast: env.LLM_MODEL_FAST,
      modelStrong: env.LLM_MODEL_STRONG,
      timeoutMs: env.LLM_TIMEOUT_MS,
      /** Unset for openai-compatible (or anthropic, which has none): the builtin embedder. */
      embeddingModel: env.LLM_EMBEDDING_MODEL,
      embeddingDimensions: env.EMBEDDING_DIMENSIONS,
      dailyBudgetUsd: env.AI_DAILY_BUDGET_USD,
      /** How long each model call's prompt and response are kept (ai_call_transcripts). */
      transcriptRetentionDays: env.AI_TRANSCRIPT_RETENTION_DAYS,
      /** Used while the primary provider's circuit breaker is open; unset: no fallback. */
      fallback: env.LLM_FALLBACK_PROVIDER
        ? {
            provider: env.LLM_FALLBACK_PROVIDER,
            baseUrl: env.LLM_FALLBACK_BASE_URL,
            apiKey: env.LLM_FALLBACK_API_KEY,
            modelFast: env.LLM_FALLBACK_MODEL_FAST,
            modelStrong: env.LLM_FALLBACK_MODEL_STRONG,
          }
        : undefined,
      /** Retries after the first attempt of one ai.run (invalid output, timeout, 429, 5xx). */
      maxRetries: env.LLM_MAX_RETRIES,
      /** Overall deadline of one ai.run, retries and waits included. */
      deadlineMs: env.LLM_DEADLINE_MS,
      retryBaseDelayMs: env.LLM_RETRY_BASE_DELAY_MS,
      retryMaxDelayMs: env.LLM_RETRY_MAX_DELAY_MS,
      breakerFailures: env.LLM_BREAKER_FAILURES,
      breakerHalfOpenMs: env.LLM_BREAKER_HALF_OPEN_MS,
      /** Per-model price overrides, USD per million tokens. */
      prices: env.LLM_PRICES ?? {},
    },
    /** Web search for the agents (platform/web-search.ts); unset provider: no web search. */
    search: {
      provider: env.SEARCH_PROVIDER,
      apiKey: env.SEARCH_API_KEY,
      /** Unset: the provider's public endpoint. */
      baseUrl: env.SEARCH_BASE_URL,
      timeoutMs: env.SEARCH_TIMEOUT_MS,
    },
    email: {
      smtpUrl: env.SMTP_URL,
      from: env.EMAIL_FROM,
      poolSize: env.SMTP_POOL_SIZE,
      /** DKIM signing; set when DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY are all set. */
      dkim:
        env.DKIM_DOMAIN && env.DKIM_SELECTOR && env.DKIM_PRIVATE_KEY
          ? {
              domainName: env.DKIM_DOMAIN,
              keySelector: env.DKIM_SELECTOR,
              privateKey: env.DKIM_PRIVATE_KEY,
            }
          : undefined,
      /** Default per-business send rate (a business may lower it). */
      sendPerMinute: env.EMAIL_SEND_PER_MINUTE,
      dispatchBatchSize: env.EMAIL_DISPATCH_BATCH_SIZE,
      dispatchIntervalMs: env.EMAIL_DISPATCH_INTERVAL_MS,
      /** Dispatch rounds in flight per process (the next batch is claimed while one sends). */
      dispatchConcurrency: env.EMAIL_DISPATCH_CONCURRENCY,
      /** A claimed delivery older than this is handed to reconciliation (its worker died). */
      claimTimeoutSeconds: env.EMAIL_CLAIM_TIMEOUT_SECONDS,
    },
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY ?? process.stdout.isTTY },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    workerConcurrency: env.WORKER_CONCURRENCY,
    /** Scheduled publishing (modules/content/publisher.ts) and its channel adapters. */
    segments: {
      /** Each pass recomputes the segments of businesses whose customer data changed. */
      refreshSeconds: env.SEGMENT_REFRESH_SECONDS,
    },
    intelligence: {
      /** Each business's run scores it nightly after this local hour (null: never). */
      nightlyHour: env.INTELLIGENCE_NIGHTLY_HOUR === 'off' ? null : env.INTELLIGENCE_NIGHTLY_HOUR,
    },
    publishing: {
      /** Let webhook and Slack targets resolve to private, loopback or link-local addresses. */
      allowPrivateTargets: env.PUBLISH_WEBHOOK_ALLOW_PRIVATE,
      batchSize: env.PUBLISH_BATCH_SIZE,
      leaseSeconds: env.PUBLISH_LEASE_SECONDS,
      maxAttempts: env.PUBLISH_MAX_ATTEMPTS,
      retryBaseMs: env.PUBLISH_RETRY_BASE_MS,
      timeoutMs: env.PUBLISH_TIMEOUT_MS,
    },
    runMigrations: env.RUN_MIGRATIONS,
    /** The breakers of every outbound call but the LLM providers' (platform/breaker.ts). */
    breakers: {
      failureThreshold: env.CIRCUIT_BREAKER_FAILURE_THRESHOLD,
      recoveryTimeoutMs: Math.round(env.CIRCUIT_BREAKER_RECOVERY_TIMEOUT * 1000),
      halfOpenMaxCalls: env.CIRCUIT_BREAKER_HALF_OPEN_MAX_CALLS,
    },
    /** Unset: platform/secrets.ts generates one into DATA_DIR, as JWT_SECRET. */
    encryptionKey: env.ENCRYPTION_KEY,
    previousEncryptionKeys: env.ENCRYPTION_KEY_PREVIOUS,
    slack: {
      clientId: env.SLACK_CLIENT_ID,
      clientSecret: env.SLACK_CLIENT_SECRET,
      signingSecret: env.SLACK_SIGNING_SECRET,
      apiUrl: env.SLACK_API_URL.replace(/\/+$/, ''),
    },
    webhooks: {
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      disableAfterFailures: env.WEBHOOK_DISABLE_AFTER_FAILURES,
      /** The same development switch as publishing's webhook targets. */
      allowPrivateTargets: env.PUBLISH_WEBHOOK_ALLOW_PRIVATE,
    },
    mcp: { enabled: env.MCP_ENABLED },
    tracking: {
      /** How long a rotated-out write key keeps working. */
      writeKeyGraceHours: env.WRITE_KEY_GRACE_HOURS,
      /** Whole monthly partitions of events older than this are dropped; 0 keeps them for ever. */
      eventRetentionDays: env.EVENT_RETENTION_DAYS,
    },
  };
});

/** The typed configuration object every part of Herald receives. */
export type Config = z.output<typeof ConfigSchema>;

/**
 * Builds the configuration from an environment map. Empty strings count as unset, so
 * `DATABASE_URL=` in a `.env` file means "use the embedded database".
 */
export function loadConfig(source: NodeJS.ProcessEnv | Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: issue.path.join('.'),
        message:
          issue.code === 'invalid_value' || issue.code === 'invalid_type'
            ? `${issue.message} (got ${JSON.stringify(cleaned[issue.path.join('.')] ?? null)})`
            : issue.message,
      })),
    );
  }
  return parsed.data;
}
