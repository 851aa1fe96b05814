// Health, readiness, metrics and queue probes. Health endpoints sit outside /api/v1 where
// load balancers and orchestrators expect them.
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { AppError, errorResponses } from '../../platform/http/errors.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import type { App } from '../../platform/http/types.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { JobQueue } from '../../platform/queue.ts';
import {
  CreateQueueProbe,
  HealthReport,
  Liveness,
  QueueProbe,
  QueueProbePage,
  QueueProbeParams,
  Readiness,
} from './schemas.ts';
import type { SystemService } from './service.ts';

export function systemRoutes(
  app: App,
  deps: { system: SystemService; metrics: Metrics; queue: JobQueue },
): void {
  const { system, metrics, queue } = deps;

  app.get(
    '/health',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Status of each component: database, queue, cache, LLM provider',
        response: { 200: HealthReport, 503: HealthReport },
      },
    },
    async (_request, reply) => {
      const report = await system.health();
      return reply.status(report.status === 'down' ? 503 : 200).send(report);
    },
  );

  app.get(
    '/health/live',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Liveness: the process is up and serving HTTP',
        response: { 200: Liveness },
      },
    },
    () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Readiness: the database answers and all migrations are applied',
        response: { 200: Readiness, ...errorResponses(503) },
      },
    },
    async () => {
      if (!(await system.isReady())) {
        throw new AppError('NOT_READY', 'Not ready: database unavailable or migrations pending');
      }
      return { status: 'ready' as const };
    },
  );

  app.get(
    '/metrics',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics in the text exposition format',
        response: { 200: z.string() },
      },
    },
    async (_request, reply) => {
      // Job counts are read at scrape time so the gauge is never stale.
      metrics.queueJobs.reset();
      const counts = await queue.counts().catch(() => []);
      for (const { queue: name, state, count } of counts) {
        metrics.queueJobs.set({ queue: name, state }, count);
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );

  app.post(
    '/api/v1/system/queue-probes',
    {
      config: { permission: 'self' },
      schema: {
        tags: ['system'],
        summary: 'Send a probe job through the queue to check that workers are consuming it',
        body: CreateQueueProbe,
        response: { 202: QueueProbe, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await system.requestQueueProbe(principalOf(request), request.body.note)),
  );

  app.get(
    '/api/v1/system/queue-probes',
    {
      config: { permission: 'self' },
      schema: {
        tags: ['system'],
        summary: 'List queue probes, newest first',
        querystring: PaginationQuery,
        response: { 200: QueueProbePage, ...errorResponses(400, 401) },
      },
    },
    async (request) => system.listQueueProbes(principalOf(request), request.query),
  );

  app.get(
    '/api/v1/system/queue-probes/:probeId',
    {
      config: { permission: 'self' },
      schema: {
        tags: ['system'],
        summary: 'One queue probe: whether and by which worker it was processed',
        params: QueueProbeParams,
        response: { 200: QueueProbe, ...errorResponses(401, 404) },
      },
    },
    async (request) => system.getQueueProbe(principalOf(request), request.params.probeId),
  );
}
