// Builds the HTTP app from its dependencies. No globals: tests build as many apps as they like,
// each on its own database.
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import {
  createJsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { OpenAPIV3_1 } from 'openapi-types';

import { adminRoutes } from './modules/admin/routes.ts';
import { agentRoutes } from './modules/agents/routes.ts';
import { aiUsageRoutes } from './modules/ai-usage/routes.ts';
import { analyticsRoutes } from './modules/analytics/routes.ts';
import { authRoutes } from './modules/auth/routes.ts';
import { emailFeedbackRoutes } from './modules/broadcasts/feedback-routes.ts';
import { broadcastLinkRoutes } from './modules/broadcasts/public-routes.ts';
import { broadcastRoutes } from './modules/broadcasts/routes.ts';
import { variantRoutes } from './modules/broadcasts/variant-routes.ts';
import { businessRoutes } from './modules/businesses/routes.ts';
import { campaignRoutes } from './modules/campaigns/routes.ts';
import { contentRoutes } from './modules/content/routes.ts';
import { customerRoutes } from './modules/customers/routes.ts';
import { intelligenceInsightRoutes } from './modules/intelligence/insight-routes.ts';
import { registerIntelligenceQuestionRoutes } from './modules/intelligence/question-routes.ts';
import { intelligenceRoutes } from './modules/intelligence/routes.ts';
import { jobRoutes } from './modules/jobs/routes.ts';
import { knowledgeRoutes } from './modules/knowledge/routes.ts';
import { mcpRoutes } from './modules/mcp/index.ts';
import { messageRoutes } from './modules/messages/routes.ts';
import { segmentRoutes } from './modules/segments/routes.ts';
import { emailLinkRoutes } from './modules/sequences/public-routes.ts';
import { sequenceRoutes } from './modules/sequences/routes.ts';
import { slackRoutes } from './modules/slack/index.ts';
import { subscriberRoutes } from './modules/subscribers/routes.ts';
import { systemRoutes } from './modules/system/routes.ts';
import { teamRoutes } from './modules/team/routes.ts';
import { trackingRoutes } from './modules/tracking/routes.ts';
import { sourcesRoutes } from './modules/tracking/sources-routes.ts';
import { webhookRoutes } from './modules/webhooks/index.ts';
import { installAuthGuard } from './platform/http/auth-guard.ts';
import { installDashboard } from './platform/http/dashboard.ts';
import {
  answerClientError,
  answerFrameworkError,
  installErrorHandling,
} from './platform/http/error-handler.ts';
import { installIdempotency } from './platform/http/idempotency.ts';
import { installInputGuard } from './platform/http/input-guard.ts';
import { correlationIdFor, installObservability } from './platform/http/observability.ts';
import { installPermissionDoc } from './platform/http/permission-doc.ts';
import { installSecurityHeaders } from './platform/http/security-headers.ts';
import { createSerializerCompiler } from './platform/http/serializer.ts';
import { installGracefulClose } from './platform/http/shutdown.ts';
import type { App } from './platform/http/types.ts';
import { installRateLimits } from './platform/rate-limit.ts';
import type { Infrastructure, Services } from './runtime.ts';

export interface AppDeps extends Infrastructure {
  services: Services;
  version: string;
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    // One "request completed" line per request comes from observability, not fastify's pair.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'correlationId',
    }),
    genReqId: correlationIdFor,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    // On shutdown, idle keep-alive sockets close at once; in-flight requests finish.
    forceCloseConnections: 'idle',
    // Errors fastify and node answer before any hook runs: the envelope too (error-handler.ts).
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(createSerializerCompiler({ verify: config.env === 'test' }));
  installErrorHandling(app);
  installObservability(app, deps.metrics);
  installGracefulClose(app);
  installSecurityHeaders(app); // before the auth guard, so 401s carry the headers too
  installAuthGuard(app, (credentials) => deps.services.auth.authenticate(credentials));
  const addPermissions = installPermissionDoc(app);
  installRateLimits(app, deps.limiter);
  installIdempotency(app, deps.database.db);
  installInputGuard(app); // NUL, lone surrogates, JSON past 32 levels: 400 for every route

  await app.register(cors, {
    // No origins configured: no cross-origin access at all (the dashboard is same-origin).
    origin: config.http.corsOrigins.length > 0 ? config.http.corsOrigins : false,
    credentials: true,
    exposedHeaders: ['x-correlation-id', 'retry-after'],
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald API',
        version: deps.version,
        description:
          'Herald, the self-hosted AI marketing command center. Errors always use the ErrorEnvelope shape; every response carries X-Correlation-ID.',
      },
      servers: [{ url: config.http.publicUrl }],
      tags: [
        {
          name: 'admin',
          description: 'The instance administration: accounts, businesses, AI spend, job backlog',
        },
        { name: 'ai', description: 'AI usage, cost and daily budgets' },
        { name: 'auth', description: 'Accounts, sessions, API keys and the audit trail' },
        { name: 'businesses', description: 'Business profiles and brand voice' },
        { name: 'team', description: 'Members of a business, their roles, and invitations' },
        { name: 'campaigns', description: 'Campaigns and their AI strategies' },
        {
          name: 'content',
          description: 'The content studio: pieces, versions, review, publishing',
        },
        { name: 'analytics', description: 'Content figures, campaign rollups and AI insights' },
        {
          name: 'intelligence',
          description: 'Customer intelligence: RFM, churn risk, lifetime value and AI insights',
        },
        { name: 'messages', description: 'The log of customer communications' },
        {
          name: 'knowledge',
          description:
            'The knowledge base: documents the agents cite, and a search of their passages',
        },
        {
          name: 'sequences',
          description: 'Email drip sequences: steps, enrollment, sending, analytics, the outbox',
        },
        {
          name: 'segments',
          description: 'Saved customer segments: rules, live size, members and size history',
        },
        { name: 'subscribers', description: 'Subscribers, CSV imports and the suppression list' },
        {
          name: 'sources',
          description: 'Event tracking: write keys, ingestion figures, the live event debugger',
        },
        { name: 'jobs', description: 'Asynchronous work (every AI generation): poll or stream it' },
        { name: 'system', description: 'Health, readiness, metrics and queue checks' },
        {
          name: 'webhooks',
          description:
            'Outgoing webhooks: endpoints, signed deliveries (Standard Webhooks), the delivery log and redelivery',
        },
        {
          name: 'slack',
          description:
            'The Slack app: connect (OAuth or incoming webhook), notification choices, approvals and /herald from Slack',
        },
        {
          name: 'email',
          description:
            'Complaints and bounces reported after sending (ARF, DSN, relay webhooks); AI-drafted A/B variants',
        },
        {
          name: 'tracking',
          description:
            'The Segment HTTP Tracking API (/v1/track, /v1/batch, …) for Segment SDKs: no sign-in; the business write key comes as the HTTP Basic user name (no password) or as `writeKey` in the body',
        },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: [{ bearerAuth: [] }, { apiKey: [] }],
    },
    transform: createJsonSchemaTransform({
      skipList: ['/docs', '/docs/*', '/api/v1/openapi.json'],
    }),
    // Each operation's declared permission as `x-permission` (platform/http/permission-doc.ts).
    transformObject: (input) =>
      addPermissions(jsonSchemaTransformObject(input) as OpenAPIV3_1.Document),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Only routes declared with `websocket: true` (the chat's socket) upgrade connections.
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  // Public: a developer reads the API before having credentials for it.
  app.get(
    '/api/v1/openapi.json',
    { schema: { hide: true }, config: { auth: 'public', permission: 'public' } },
    () => app.swagger(),
  );

  // Only the auth routes read or set a cookie (the refresh token), so only they carry the
  // cookie plugin's hooks.
  await app.register(async (scope) => {
    await scope.register(cookie);
    authRoutes(scope, {
      auth: deps.services.auth,
      audit: deps.services.audit,
      secureCookies: config.http.publicUrl.startsWith('https://'),
      refreshTtlDays: config.auth.refreshTtlDays,
    });
  });
  businessRoutes(app, { businesses: deps.services.businesses });
  teamRoutes(app, { team: deps.services.team });
  jobRoutes(app, { jobs: deps.services.jobs });
  campaignRoutes(app, { campaigns: deps.services.campaigns });
  contentRoutes(app, { contents: deps.services.contents });
  analyticsRoutes(app, { analytics: deps.services.analytics });
  messageRoutes(app, { messages: deps.services.messages });
  knowledgeRoutes(app, { knowledge: deps.services.knowledge });
  subscriberRoutes(app, { subscribers: deps.services.subscribers });
  customerRoutes(app, { customers: deps.services.customers });
  intelligenceInsightRoutes(app, { insights: deps.services.intelligenceInsights });
  sequenceRoutes(app, { sequences: deps.services.sequences });
  sourcesRoutes(app, { sources: deps.services.sources });
  segmentRoutes(app, { segments: deps.services.segments });
  intelligenceRoutes(app, { intelligence: deps.services.intelligence });
  registerIntelligenceQuestionRoutes(app, { questions: deps.services.questions });
  await emailLinkRoutes(app, { engagement: deps.services.engagement });
  await trackingRoutes(app, { tracking: deps.services.tracking });
  broadcastRoutes(app, { broadcasts: deps.services.broadcasts });
  await broadcastLinkRoutes(app, {
    engagement: deps.services.broadcastEngagement,
    verifyKind: (token) => {
      const payload = deps.services.trackingLinks.verify(token);
      return payload?.k === 'b' ? payload.a : undefined;
    },
  });
  await emailFeedbackRoutes(app, { feedback: deps.services.emailFeedback });
  variantRoutes(app, { drafter: deps.services.variantDrafter });
  aiUsageRoutes(app, { aiUsage: deps.services.aiUsage, aiQuality: deps.services.aiQuality });
  agentRoutes(app, { agents: deps.services.agents, limiter: deps.limiter });
  adminRoutes(app, { admin: deps.services.admin });
  webhookRoutes(app, { webhooks: deps.services.webhooks });
  await slackRoutes(app, {
    settings: deps.services.slack.settings,
    interactions: deps.services.slack.interactions,
    secureCookies: config.http.publicUrl.startsWith('https://'),
  });
  mcpRoutes(app, {
    mcp: deps.services.mcp,
    authenticate: (credentials) => deps.services.auth.authenticate(credentials),
    limiter: deps.limiter,
    version: deps.version,
    enabled: config.mcp.enabled,
  });
  systemRoutes(app, {
    system: deps.services.system,
    metrics: deps.metrics,
    queue: deps.queue,
  });
  // Last: its catch-all GET serves the dashboard for every path no route above claimed.
  await installDashboard(app, { secure: config.http.publicUrl.startsWith('https://') });

  return app;
}
