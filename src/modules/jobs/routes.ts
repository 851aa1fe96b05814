// Job status for polling (GET /api/v1/jobs/{id}) and streaming (…/events, server-sent events).
import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import type { App } from '../../platform/http/types.ts';
import { Job, JobEventsQuery, JobOwnerParams, JobPage, JobParams } from './schemas.ts';
import { isTerminal, type JobService } from './service.ts';

const HEARTBEAT_MS = 15_000;

export function jobRoutes(app: App, deps: { jobs: JobService }): void {
  const { jobs } = deps;

  app.get(
    '/api/v1/jobs/:jobId',
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['jobs'],
        summary: 'A job: status, progress, result or error',
        params: JobParams,
        response: { 200: Job, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) => jobs.get(principalOf(request), request.params.jobId),
  );

  app.get(
    '/api/v1/businesses/:businessId/jobs',
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['jobs'],
        summary: "The business's jobs, newest first",
        params: JobOwnerParams,
        querystring: PaginationQuery,
        response: { 200: JobPage, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) => jobs.list(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    '/api/v1/jobs/:jobId/events',
    {
      config: { permission: 'business.read', queryToken: true },
      schema: {
        tags: ['jobs'],
        summary: 'Stream a job as server-sent events until it finishes',
        description:
          'Events: `progress` (data: the Job) whenever it changes, then one `done` (data: the final Job). Closing the stream does not cancel the job. EventSource clients may pass the access token as `?accessToken=`.',
        params: JobParams,
        querystring: JobEventsQuery,
        produces: ['text/event-stream'],
        response: {
          200: Job.describe('Sent as the data of each event'),
          ...errorResponses(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      // Read the job once before hijacking, so a missing job is an ordinary 404 envelope.
      await jobs.get(principal, request.params.jobId);
      const controller = new AbortController();
      request.raw.on('close', () => {
        controller.abort();
      });
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-correlation-id': request.id,
      });
      const heartbeat = setInterval(() => {
        reply.raw.write(': keep-alive\n\n');
      }, HEARTBEAT_MS);
      try {
        for await (const job of jobs.watch(principal, request.params.jobId, controller.signal)) {
          const event = isTerminal(job) ? 'done' : 'progress';
          reply.raw.write(
            `event: ${event}\nid: ${job.id}:${job.progress}:${job.status}\ndata: ${JSON.stringify(job)}\n\n`,
          );
        }
      } catch (error) {
        request.log.warn({ err: error }, 'job stream failed');
      } finally {
        clearInterval(heartbeat);
        reply.raw.end();
      }
    },
  );
}
