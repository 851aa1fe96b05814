// Wires Herald's parts together from the configuration: database, migrations, cache, queue,
// breakers, metrics, the domain services and their jobs. `herald serve`, `herald worker` and
// the tests all start from here, so they run the same code.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createEmbedder } from './ai/embeddings.ts';
import { createAi } from './ai/run.ts';
import { transcriptPurgeLoop } from './ai/transcript-purge.ts';
import type { Config } from './config.ts';
import { createAdminService } from './modules/admin/service.ts';
import { createChatMessageSubjects } from './modules/agents/index.ts';
import { createAgentService } from './modules/agents/service.ts';
import { createAgentTools } from './modules/agents/tools/index.ts';
import { createAiQualityService } from './modules/ai-usage/quality.ts';
import { createAiUsageService } from './modules/ai-usage/service.ts';
import { insightsJob } from './modules/analytics/jobs.ts';
import { createAnalyticsService } from './modules/analytics/service.ts';
import { createAuditTrail } from './modules/auth/audit.ts';
import { resolveJwtSecret } from './modules/auth/credentials.ts';
import { createAuth } from './modules/auth/service.ts';
import { createBroadcastDispatcher } from './modules/broadcasts/dispatcher.ts';
import { createBroadcastEngagement } from './modules/broadcasts/engagement.ts';
import { createEmailFeedback } from './modules/broadcasts/feedback.ts';
import { createBroadcastService } from './modules/broadcasts/service.ts';
import { createVariantDrafter } from './modules/broadcasts/variants.ts';
import { createBusinessAccess } from './modules/businesses/access.ts';
import { brandVoiceJob } from './modules/businesses/jobs.ts';
import { createBusinessService } from './modules/businesses/service.ts';
import { strategyJob } from './modules/campaigns/jobs.ts';
import { createCampaignService } from './modules/campaigns/service.ts';
import { createAdapters } from './modules/content/adapters.ts';
import {
  createCalendarPlaceholders,
  createCampaignPieceCounter,
  createContentProvenance,
} from './modules/content/index.ts';
import { contentJob, writeAllJob } from './modules/content/jobs.ts';
import { createPublisher } from './modules/content/publisher.ts';
import { createContentService } from './modules/content/service.ts';
import { customerExportJob } from './modules/customers/jobs.ts';
import { createCustomerProcessor } from './modules/customers/processor.ts';
import { createCustomerExporter, createCustomerService } from './modules/customers/service.ts';
import { createInsightStarter, insightJob } from './modules/intelligence/insight-job.ts';
import { intelligenceRunJob, intelligenceScheduleLoop } from './modules/intelligence/jobs.ts';
import { createQuestionService } from './modules/intelligence/questions.ts';
import {
  createIntelligenceRunner,
  createIntelligenceService,
} from './modules/intelligence/service.ts';
import { jobQueueDefinitions } from './modules/jobs/jobs.ts';
import { createJobService, type JobKind } from './modules/jobs/service.ts';
import { createKnowledgeService } from './modules/knowledge/index.ts';
import { createMcpRepository, createMcpService } from './modules/mcp/index.ts';
import { createMessageService } from './modules/messages/service.ts';
import { segmentRefreshLoop } from './modules/segments/jobs.ts';
import { createSegmentService } from './modules/segments/service.ts';
import { createDispatcher } from './modules/sequences/dispatcher.ts';
import { createEngagement } from './modules/sequences/engagement.ts';
import { createSequenceTriggers } from './modules/sequences/index.ts';
import { sequenceDraftJob } from './modules/sequences/jobs.ts';
import { createSequenceService } from './modules/sequences/service.ts';
import { createTrackingLinks } from './modules/sequences/tracking.ts';
import { createSlack, createSlackListener } from './modules/slack/index.ts';
import { createEmailAudience } from './modules/subscribers/audience.ts';
import { subscriberImportJob } from './modules/subscribers/jobs.ts';
import { createSubscriberService } from './modules/subscribers/service.ts';
import { systemJobs } from './modules/system/jobs.ts';
import { createSystemService } from './modules/system/service.ts';
import { createTeamService } from './modules/team/service.ts';
import { createEventMaintenance } from './modules/tracking/maintenance.ts';
import { createTrackingService } from './modules/tracking/service.ts';
import { createSourcesService } from './modules/tracking/sources-service.ts';
import {
  createWebhookDeliverer,
  createWebhookListener,
  createWebhookService,
} from './modules/webhooks/index.ts';
import { BreakerRegistry } from './platform/breaker.ts';
import { type CacheStore, countCacheReads, openCache } from './platform/cache.ts';
import { type DatabaseHandle, openDatabase } from './platform/db/client.ts';
import { migrateDatabase } from './platform/db/migrate.ts';
import { nearest } from './platform/db/vector.ts';
import { createHeraldEvents, type HeraldEventListener } from './platform/events.ts';
import type { Logger } from './platform/logger.ts';
import { createMailer, type Mailer, messageIdDomainOf, readDkimKey } from './platform/mailer.ts';
import { createMetrics, type Metrics } from './platform/metrics.ts';
import { type JobDefinition, JobQueue } from './platform/queue.ts';
import { RateLimiter } from './platform/rate-limit.ts';
import { resolveEncryptionKey } from './platform/secrets.ts';
import { createWebSearch } from './platform/web-search.ts';

export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** The parts opened from the configuration, which the services and the HTTP app are built on. */
export interface Infrastructure {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  cache: CacheStore;
  queue: JobQueue;
  breakers: BreakerRegistry;
  metrics: Metrics;
  limiter: RateLimiter;
  /** Listeners of Herald's events besides the modules' own (tests). */
  eventListeners?: readonly HeraldEventListener[] | undefined;
}

export interface Runtime extends Infrastructure {
  services: Services;
  jobs: JobDefinition[];
  version: string;
  /** Stops the queue (waiting for running jobs up to the deadline), then the cache and database. */
  close(): Promise<void>;
}

export type Services = ReturnType<typeof createServices>;

function createServices(parts: Infrastructure) {
  const { config, logger, cache } = parts;
  const db = parts.database.db;
  const audit = createAuditTrail({ db, logger });
  const access = createBusinessAccess(db, cache);
  // The only way to a model: providers, retries, breakers, budgets and cost records.
  const ai = createAi({
    db,
    llm: config.llm,
    breakers: parts.breakers,
    metrics: parts.metrics,
    logger: logger.child({ component: 'ai' }),
    // Declared below; only called once a model call has cost something.
    events: { publish: (tx, event) => heraldEvents.publish(tx, event) },
  });
  // Vectors for the knowledge base and the agents' learnings (the provider's, or builtin).
  const embedder = createEmbedder({
    db,
    llm: config.llm,
    breakers: parts.breakers,
    metrics: parts.metrics,
    logger: logger.child({ component: 'embeddings' }),
  });
  // Herald's events (platform/events.ts) reach their listeners (webhooks, Slack) through one
  // port; listeners are added below as their modules are built, before anything publishes.
  const eventListeners: HeraldEventListener[] = [];
  // Listeners a test passes (RuntimeOptions.eventListeners) hear the same events.
  eventListeners.push(...(parts.eventListeners ?? []));
  const heraldEvents = createHeraldEvents(eventListeners);
  // Outgoing webhooks: the listener records deliveries, the deliverer's loop sends them.
  eventListeners.push(createWebhookListener());
  const webhookDeliverer = createWebhookDeliverer({
    db,
    breakers: parts.breakers,
    logger: logger.child({ component: 'webhooks' }),
    config: { ...config.webhooks, breakerRetryMs: config.breakers.recoveryTimeoutMs },
  });
  // Slack: the business's notification choices turn events into outbox rows.
  eventListeners.push(createSlackListener());
  const sequenceTriggers = createSequenceTriggers();
  // A sequence triggered by entering a segment listens to the segment refresh.
  const segments = createSegmentService({
    db,
    access,
    logger,
    entryListeners: [sequenceTriggers.segments],
    events: heraldEvents,
  });
  const intelligenceRunner = createIntelligenceRunner({
    database: parts.database,
    logger: logger.child({ component: 'intelligence' }),
    // New scores move the segments with score conditions at the next refresh, not the hourly one.
    onScored: (businessId) => segments.markChanged([businessId]),
    events: heraldEvents,
  });
  // Every kind of asynchronous job the workers can run, from each module's jobs.ts.
  const jobKinds = [
    brandVoiceJob({ ai }),
    strategyJob({ db, ai, placeholders: createCalendarPlaceholders() }),
    contentJob({ db, ai }),
    writeAllJob({ db, ai }),
    insightsJob({ db, ai }),
    insightJob({ db, ai }),
    sequenceDraftJob({ db, ai }),
    // On a PostgreSQL server, larger batches, two in flight (the server has its own cores) and
    // COPY for new subscribers; on PGlite a write holds this thread, so batches take about 20 ms.
    subscriberImportJob(
      parts.database.kind === 'postgres'
        ? { db, batchRows: 2000, parallelWrites: 2, pool: parts.database.pool }
        : { db, batchRows: 2000, writeMs: 20 },
    ),
    customerExportJob(createCustomerExporter(db)),
    intelligenceRunJob(intelligenceRunner),
  ] as JobKind<never>[];
  const jobs = createJobService({
    db,
    queue: parts.queue,
    access,
    logger,
    kinds: jobKinds,
    events: heraldEvents,
  });
  // One mailer (one SMTP pool, or the outbox) for every module that sends email.
  const dkim = config.email.dkim && {
    ...config.email.dkim,
    privateKey: readDkimKey(config.email.dkim.privateKey),
  };
  const mailer: Mailer = createMailer({
    ...config.email,
    dkim,
    outboxDir: path.join(config.dataDir, 'outbox'),
    breakers: parts.breakers,
  });
  const tracking = createTrackingLinks({
    secret: resolveJwtSecret(config),
    publicUrl: config.http.publicUrl,
  });
  const messageIdDomain = messageIdDomainOf(config.email.from, dkim?.domainName);
  const publisher = createPublisher({
    database: parts.database,
    queue: parts.queue,
    deferMs: config.breakers.recoveryTimeoutMs,
    adapters: createAdapters({
      allowPrivateTargets: config.publishing.allowPrivateTargets,
      timeoutMs: config.publishing.timeoutMs,
      breakers: parts.breakers,
      email: {
        // The same mailer as the sequences (SMTP or the outbox), DKIM-signed when a key is set.
        mailer,
        audience: createEmailAudience(db),
        unsubscribeUrl: (businessId, subscriberId) =>
          tracking.subscriberUnsubscribeUrl(businessId, subscriberId),
        defaultFrom: config.email.from,
      },
    }),
    config: config.publishing,
    logger: logger.child({ component: 'publisher' }),
    events: heraldEvents,
    publicUrl: config.http.publicUrl,
  });
  const customers = createCustomerService({
    db,
    access,
    jobs,
    privacyLog: {
      record: ({ action, userId, businessId, origin, details }) =>
        audit.record({ action, outcome: 'success', userId, businessId, origin, details }),
    },
  });
  const auth = createAuth({
    db,
    cache,
    audit,
    logger,
    config,
    mailer,
    // A business API key is made, listed and revoked by whoever may manage the business.
    keyBusinesses: {
      async requireManager(principal, businessId) {
        await access.require(principal, businessId, 'business.manage');
      },
    },
  });
  // The Segment API's write path; /health reports its lag.
  const trackingService = createTrackingService({
    database: parts.database,
    limiter: parts.limiter,
    metrics: parts.metrics,
    ratePerSecond: config.rateLimits.trackingPerSecond,
    // Parallel flushes overlap one's network and commit wait with the next one's work.
    flushConcurrency: parts.database.kind === 'postgres' ? 3 : 1,
  });
  const services = {
    /** Publishes Herald's events to the webhooks and Slack listeners. */
    heraldEvents,
    webhookDeliverer,
    webhooks: createWebhookService({
      db,
      access,
      deliverer: webhookDeliverer,
      allowPrivateTargets: config.webhooks.allowPrivateTargets,
    }),
    audit,
    access,
    ai,
    tracking: trackingService,
    aiUsage: createAiUsageService({ db, access, ai }),
    // Ratings of AI output (agents' replies, AI drafts) and how much of each draft survived review.
    aiQuality: createAiQualityService({
      db,
      access,
      content: createContentProvenance(db),
      chatMessages: createChatMessageSubjects(db),
    }),
    /** SerpAPI or Brave for the agents' researcher; undefined when SEARCH_PROVIDER is unset. */
    webSearch: createWebSearch({
      ...config.search,
      breakers: parts.breakers,
      logger: logger.child({ component: 'web-search' }),
    }),
    jobs,
    campaigns: createCampaignService({
      db,
      access,
      jobs,
      pieces: createCampaignPieceCounter(db),
    }),
    contents: createContentService({
      db,
      access,
      jobs,
      publisher,
      allowPlainHttpTargets: config.publishing.allowPrivateTargets,
      events: heraldEvents,
    }),
    analytics: createAnalyticsService({ db, access, jobs }),
    intelligenceInsights: createInsightStarter({ db, access, jobs }),
    messages: createMessageService({ db, access }),
    embedder,
    knowledge: createKnowledgeService({
      database: parts.database,
      access,
      embedder,
      // The same development switch as webhook targets: private addresses only when allowed.
      allowPrivateUrls: config.publishing.allowPrivateTargets,
    }),
    subscribers: createSubscriberService({ db, access, jobs }),
    customers,
    questions: createQuestionService({ access, ai, segments, customers }),
    // Resolves new events to customers and hands them, in the same transaction, to the
    // sequence triggers (enrol, exit, end waits) and to segments (mark the business changed).
    customerProcessor: createCustomerProcessor({
      db,
      logger,
      listeners: [sequenceTriggers.events, segments.changeListener],
      events: heraldEvents,
    }),
    sequences: createSequenceService({
      db,
      access,
      jobs,
      mailer,
      tracking,
      defaultFrom: config.email.from,
      messageIdDomain,
      statusLog: {
        record: ({ action, userId, businessId, sequenceId, name, from, origin }) =>
          audit.record({
            action,
            outcome: 'success',
            userId,
            businessId,
            origin,
            details: { sequenceId, name, from },
          }),
      },
    }),
    segments,
    intelligence: createIntelligenceService({ database: parts.database, access, jobs }),
    intelligenceRunner,
    engagement: createEngagement({ db, tracking, logger, events: heraldEvents }),
    /** Listeners for the customer processor (`events`) and the segment refresh (`segments`). */
    sequenceTriggers,
    trackingLinks: tracking,
    broadcasts: createBroadcastService({
      db,
      access,
      mailer,
      tracking,
      defaultFrom: config.email.from,
      messageIdDomain,
      perMinute: config.email.sendPerMinute,
    }),
    broadcastEngagement: createBroadcastEngagement({
      db,
      tracking,
      logger,
      events: heraldEvents,
    }),
    emailFeedback: createEmailFeedback({ db, access, logger, events: heraldEvents }),
    variantDrafter: createVariantDrafter({ db, access, ai }),
    broadcastDispatcher: createBroadcastDispatcher({
      db,
      mailer,
      tracking,
      logger,
      events: heraldEvents,
      config: {
        deferMs: config.breakers.recoveryTimeoutMs,
        batchSize: config.email.dispatchBatchSize,
        intervalMs: config.email.dispatchIntervalMs,
        perMinute: config.email.sendPerMinute,
        claimTimeoutSeconds: config.email.claimTimeoutSeconds,
        concurrency: config.email.dispatchConcurrency,
        messageIdDomain,
        defaultFrom: config.email.from,
      },
    }),
    sequenceDispatcher: createDispatcher({
      db,
      mailer,
      tracking,
      logger,
      events: heraldEvents,
      config: {
        // A delivery the mail server could not take waits as long as its open breaker.
        deferMs: config.breakers.recoveryTimeoutMs,
        batchSize: config.email.dispatchBatchSize,
        intervalMs: config.email.dispatchIntervalMs,
        perMinute: config.email.sendPerMinute,
        claimTimeoutSeconds: config.email.claimTimeoutSeconds,
        concurrency: config.email.dispatchConcurrency,
        messageIdDomain,
        defaultFrom: config.email.from,
      },
    }),
    publishing: {
      publisher,
      async close() {
        await mailer.close();
      },
    },
    auth,
    admin: createAdminService({
      db,
      audit,
      accounts: auth,
      access,
      config: {
        registration: config.auth.registration,
        defaultDailyBudgetUsd: config.llm.dailyBudgetUsd,
      },
    }),
    businesses: createBusinessService({
      db,
      access,
      audit,
      jobs,
      writeKeyGraceHours: config.tracking.writeKeyGraceHours,
    }),
    sources: createSourcesService({
      db,
      access,
      publicUrl: config.http.publicUrl,
      writeKeyGraceHours: config.tracking.writeKeyGraceHours,
    }),
    eventMaintenance: createEventMaintenance({
      db,
      logger: logger.child({ component: 'event-maintenance' }),
      retentionDays: config.tracking.eventRetentionDays,
    }),
    team: createTeamService({
      db,
      access,
      audit,
      // The team module's port for revoking a removed member's business keys.
      memberKeys: auth,
      logger,
      publicUrl: config.http.publicUrl,
      // With SMTP an invitation's link is emailed; with the local outbox it is handed back.
      mail: mailer.kind === 'smtp' ? { mailer, messageIdDomain } : undefined,
    }),
    system: createSystemService({
      database: parts.database,
      queue: parts.queue,
      cache: parts.cache,
      breakers: parts.breakers,
      llmProvider: parts.config.llm.provider,
      version: VERSION,
      startedAt: Date.now(),
      ingestion: () => trackingService.health(),
      mcp: { enabled: config.mcp.enabled, path: '/mcp' },
    }),
  };
  // The agents act through the services above, with the chat user's access.
  const agents = createAgentService({
    db,
    access,
    ai: {
      run: ai.run,
      chatStep: ai.chatStep,
      openDecision: ai.openDecision,
      closeDecision: ai.closeDecision,
      transcriptOf: ai.transcriptOf,
      embed: (texts, options) => embedder.embed(texts, options),
      embeddingModel: () => embedder.embeddingModel(),
    },
    // Learnings recalled by similarity: pgvector's HNSW index where installed, else an exact scan.
    recall: {
      nearest: (businessId, model, vector, limit) =>
        nearest(parts.database, { table: 'agent_learnings', businessId, model, vector, limit }),
    },
    tools: createAgentTools(services),
    limits: {
      tokensPerDay: config.agents.tokensPerDay,
      actionTtlMinutes: config.agents.actionTtlMinutes,
    },
    logger: logger.child({ component: 'agents' }),
  });
  // The Slack app: approvals go through the content workflow, `/herald ask` to the agents.
  const slack = createSlack({
    db,
    access,
    contents: services.contents,
    agents,
    breakers: parts.breakers,
    logger: logger.child({ component: 'slack' }),
    slack: config.slack,
    encryptionKey: resolveEncryptionKey(config),
    previousEncryptionKeys: config.previousEncryptionKeys,
    publicUrl: config.http.publicUrl,
    timeoutMs: config.webhooks.timeoutMs,
    allowPrivateTargets: config.webhooks.allowPrivateTargets,
  });
  // Herald as an MCP server: the same tools, with the MCP caller's access (modules/mcp).
  const mcp = createMcpService({
    tools: createAgentTools(services),
    access,
    repository: createMcpRepository(db),
    businessesOf: async (principal) =>
      (await services.businesses.list(principal, { limit: 100 })).items,
    metrics: parts.metrics,
    logger: logger.child({ component: 'mcp' }),
  });
  return { ...services, agents, slack, mcp };
}

function jobsOf(services: Services): JobDefinition[] {
  return [
    ...systemJobs(services.system),
    ...jobQueueDefinitions(services.jobs),
    services.publishing.publisher.definition,
  ];
}

export interface RuntimeOptions {
  /** Apply migrations before returning (default: config.runMigrations). */
  migrate?: boolean;
  /** Start the queue (schema install, maintenance); off only for tests that do not need it. */
  startQueue?: boolean;
  metrics?: Metrics;
  queuePollingIntervalSeconds?: number;
  /** An already opened database (tests open one from a template). */
  database?: DatabaseHandle;
  /** The clock the circuit breakers measure their open period on (tests move it). */
  breakerClock?: () => number;
  /** More listeners of Herald's events, beside the webhooks' and Slack's (tests). */
  eventListeners?: readonly HeraldEventListener[];
}

export async function createRuntime(
  config: Config,
  logger: Logger,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const metrics = options.metrics ?? createMetrics();
  const started = Date.now();
  const database =
    options.database ??
    (await openDatabase(config.database, { queryDuration: metrics.dbQueryDuration }));
  logger.info({ db: database.kind, ms: Date.now() - started }, 'database opened');
  const closers: (() => Promise<void>)[] = [() => database.close()];
  try {
    if (options.migrate ?? config.runMigrations) {
      const { vectorEnabled } = await migrateDatabase(database, {
        postgresUrl: config.database.kind === 'postgres' ? config.database.url : undefined,
      });
      logger.info({ vectorEnabled, ms: Date.now() - started }, 'migrations applied');
    }
    const cache = countCacheReads(await openCache(config.redisUrl), metrics.cacheRequests);
    closers.unshift(() => cache.close());
    const breakers = new BreakerRegistry(metrics, config.breakers, { now: options.breakerClock });
    const queue = JobQueue.create(
      database,
      {
        postgresUrl: config.database.kind === 'postgres' ? config.database.url : undefined,
        poolMax: 4,
      },
      { logger, metrics },
      {
        concurrency: config.workerConcurrency,
        pollingIntervalSeconds: options.queuePollingIntervalSeconds ?? 1,
      },
    );
    const limiter = new RateLimiter(cache, {
      general: config.rateLimits.generalPerMinute,
      ai: config.rateLimits.aiPerMinute,
      chat: config.agents.requestsPerMinute,
      auth: config.rateLimits.authPerMinute,
    });
    const services = createServices({
      config,
      logger,
      database,
      queue,
      cache,
      breakers,
      metrics,
      limiter,
      eventListeners: options.eventListeners,
    });
    const jobs = jobsOf(services);
    if (options.startQueue ?? true) {
      await queue.start();
      await queue.declare(jobs);
      logger.info({ ms: Date.now() - started }, 'queue started');
    }
    closers.unshift(() => services.publishing.close());
    // MCP tool calls' decision-log rows still being written, before the database closes.
    closers.unshift(() => services.mcp.flush());
    // Before the database: events already acknowledged-pending are committed first.
    closers.unshift(() => services.tracking.close());
    // The sequence dispatcher runs wherever the job queue is consumed (`herald serve`,
    // `herald worker`, tests with a worker); the queue stops it first on close.
    const dispatcher = services.sequenceDispatcher;
    queue.addBackgroundLoop({
      name: 'sequence-dispatcher',
      start: () => {
        dispatcher.start();
      },
      stop: () => dispatcher.stop(),
    });
    // Monthly event partitions ahead of time, and retention, wherever jobs are consumed.
    queue.addBackgroundLoop(services.eventMaintenance);
    // The segment refresh runs wherever the queue is consumed; each segment is claimed with
    // SKIP LOCKED, so several processes share the work.
    queue.addBackgroundLoop(
      segmentRefreshLoop(services.segments, {
        intervalMs: config.segments.refreshSeconds * 1000,
        logger: logger.child({ component: 'segments' }),
      }),
    );
    // The nightly intelligence run, wherever the queue is consumed (a unique index per business
    // and night keeps two workers from running the same night).
    if (config.intelligence.nightlyHour !== null) {
      queue.addBackgroundLoop(
        intelligenceScheduleLoop(services.intelligenceRunner, {
          db: database.db,
          hour: config.intelligence.nightlyHour,
          intervalMs: 10 * 60_000,
          logger: logger.child({ component: 'intelligence' }),
        }),
      );
    }
    // Model-call transcripts past AI_TRANSCRIPT_RETENTION_DAYS, hourly, wherever jobs are consumed.
    queue.addBackgroundLoop(
      transcriptPurgeLoop(services.ai, {
        retentionDays: config.llm.transcriptRetentionDays,
        intervalMs: 60 * 60_000,
        logger: logger.child({ component: 'ai' }),
      }),
    );
    const processor = services.customerProcessor;
    queue.addBackgroundLoop({
      name: 'customer-processor',
      start: () => {
        processor.start();
      },
      stop: () => processor.stop(),
    });
    // Broadcasts: materialising recipients, sending, A/B winners — beside the sequences'.
    const broadcastDispatcher = services.broadcastDispatcher;
    queue.addBackgroundLoop({
      name: 'broadcast-dispatcher',
      start: () => {
        broadcastDispatcher.start();
      },
      stop: () => broadcastDispatcher.stop(),
    });
    // Outgoing webhook deliveries, wherever the queue is consumed (claims use SKIP LOCKED).
    queue.addBackgroundLoop(services.webhookDeliverer.loop());
    queue.addBackgroundLoop(services.webhookDeliverer.retentionLoop());
    // Slack messages waiting in the outbox, posted wherever the queue is consumed.
    queue.addBackgroundLoop(services.slack.loop);
    // After ENCRYPTION_KEY changed: credentials an earlier key sealed are sealed again with the
    // current one (idempotent; a few rows), so ENCRYPTION_KEY_PREVIOUS can be dropped later.
    if (config.previousEncryptionKeys.length > 0) await services.slack.resealCredentials();
    closers.unshift(() => services.slack.interactions.settle());
    closers.unshift(() => queue.stop(config.shutdownTimeoutMs));

    let closed = false;
    return {
      config,
      logger,
      database,
      cache,
      queue,
      breakers,
      metrics,
      limiter,
      services,
      jobs,
      version: VERSION,
      async close() {
        if (closed) return;
        closed = true;
        for (const close of closers) await close();
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
}
