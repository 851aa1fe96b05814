// The Sources page's routes: write keys and ingestion figures, and the live event debugger (a
// page of the newest events, or server-sent events as new ones are stored).
import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { BusinessParams } from '../businesses/index.ts';
import {
  EventListQuery,
  EventStreamQuery,
  Sources,
  TrackedEvent,
  TrackedEventPage,
} from './sources-schemas.ts';
import type { SourcesService } from './sources-service.ts';

const HEARTBEAT_MS = 15_000;

export function sourcesRoutes(app: App, deps: { sources: SourcesService }): void {
  const { sources } = deps;

  app.get(
    '/api/v1/businesses/:businessId/sources',
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['sources'],
        summary: 'Write keys, events accepted and rejected per minute, processing lag',
        params: BusinessParams,
        response: { 200: Sources, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) => sources.overview(principalOf(request), request.params.businessId),
  );

  app.get(
    '/api/v1/businesses/:businessId/events',
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['sources'],
        summary: 'The live event debugger: the newest events received, newest first',
        params: BusinessParams,
        querystring: EventListQuery,
        response: { 200: TrackedEventPage, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) =>
      sources.listEvents(principalOf(request), request.params.businessId, request.query),
  );

  app.get(
    '/api/v1/businesses/:businessId/events/stream',
    {
      config: { permission: 'business.read', queryToken: true },
      schema: {
        tags: ['sources'],
        summary: 'Stream new events as server-sent events as they are stored',
        description:
          'Each `events` event carries a JSON array of the events stored since the last one, oldest first (at most 100 a second: under heavy traffic it is a sample). A comment line every 15 s keeps the connection open. EventSource clients may pass the access token as `?accessToken=`.',
        params: BusinessParams,
        querystring: EventStreamQuery,
        produces: ['text/event-stream'],
        response: {
          200: TrackedEvent.array().describe('Sent as the data of each event'),
          ...errorResponses(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      // Opened before hijacking, so a refusal is an ordinary error envelope.
      const watch = await sources.openEventStream(
        principalOf(request),
        request.params.businessId,
        request.query,
      );
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
      reply.raw.write(': connected\n\n');
      const heartbeat = setInterval(() => {
        reply.raw.write(': keep-alive\n\n');
      }, HEARTBEAT_MS);
      try {
        for await (const batch of watch(controller.signal)) {
          const last = batch.at(-1);
          reply.raw.write(
            `event: events\nid: ${last?.receivedAt ?? ''}\ndata: ${JSON.stringify(batch)}\n\n`,
          );
        }
      } catch (error) {
        request.log.warn({ err: error }, 'event stream failed');
      } finally {
        clearInterval(heartbeat);
        reply.raw.end();
      }
    },
  );
}
