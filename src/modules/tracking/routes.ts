// The Segment HTTP Tracking API at the root (/v1/track … /v1/batch), as Segment's SDKs call it:
// the write key as the HTTP Basic user name (or `writeKey` in the body), JSON sent as
// application/json or text/plain (analytics.js avoids a preflight that way), open CORS on these
// routes only, and `GET /v1/projects/:writeKey/settings` so analytics.js can load from Herald.
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { errorResponses, unauthenticated } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import {
  ProjectSettings,
  ProjectSettingsParams,
  SegmentBatch,
  SegmentCall,
  type SegmentEventType,
  TrackingAccepted,
} from './schemas.ts';
import { MAX_BATCH_BYTES, MAX_EVENT_BYTES, type TrackingService } from './service.ts';

const CALLS: { kind: SegmentEventType; summary: string }[] = [
  { kind: 'track', summary: 'Record an action a person took (Segment track)' },
  { kind: 'identify', summary: 'Tie a person to their traits (Segment identify)' },
  { kind: 'page', summary: 'Record a page view (Segment page)' },
  { kind: 'screen', summary: 'Record an app screen view (Segment screen)' },
  { kind: 'group', summary: 'Tie a person to a company or account (Segment group)' },
  { kind: 'alias', summary: 'Merge a previous identity into a user id (Segment alias)' },
];

/** Browsers call these from any site that embeds analytics.js; no cookies are involved. */
const openCors = {
  origin: '*',
  credentials: false,
  methods: ['GET', 'POST', 'OPTIONS'],
  allowedHeaders: ['authorization', 'content-type', 'x-retry-count'],
  maxAge: 86_400,
};

const publicConfig = {
  auth: 'public' as const,
  permission: 'public' as const,
  // Not the per-user limit: each write key has its own (service.ts).
  rateLimit: 'none' as const,
  cors: openCors,
};

/** The write key from `Authorization: Basic base64(key:)`, if that is how it came. */
function basicWriteKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return (colon === -1 ? decoded : decoded.slice(0, colon)) || undefined;
}

/** The route validates in the service (a batch's errors name each event's index). */
const passThrough = () => (data: unknown) => ({ value: data });

export async function trackingRoutes(app: App, deps: { tracking: TrackingService }): Promise<void> {
  const { tracking } = deps;
  await app.register((scope: FastifyInstance, _options, done) => {
    const typed = scope as unknown as App;
    // analytics.js posts JSON as text/plain (a "simple" request).
    scope.addContentTypeParser(
      'text/plain',
      { parseAs: 'string' },
      scope.getDefaultJsonParser('error', 'error'),
    );

    const paths = [
      ...CALLS.flatMap((call) => [`/v1/${call.kind}`, `/v1/${call.kind.charAt(0)}`]),
      '/v1/batch',
      '/v1/projects/:writeKey/settings',
    ];
    for (const url of paths) {
      // The preflight is answered by the CORS hook from this route's `cors` config.
      typed.options(url, { config: publicConfig, schema: { hide: true } }, (_request, reply) =>
        reply.status(204).send(),
      );
    }

    for (const call of CALLS) {
      const handler = async (request: FastifyRequest) => {
        await tracking.ingest({
          kind: call.kind,
          basicWriteKey: basicWriteKey(request),
          body: request.body,
          ip: request.ip,
        });
        return { success: true as const };
      };
      const options = {
        config: publicConfig,
        bodyLimit: MAX_EVENT_BYTES,
        validatorCompiler: passThrough,
      };
      typed.post(
        `/v1/${call.kind}`,
        {
          ...options,
          schema: {
            tags: ['tracking'],
            summary: call.summary,
            body: SegmentCall,
            response: { 200: TrackingAccepted, ...errorResponses(400, 401, 413, 429, 503) },
          },
        },
        handler,
      );
      // analytics.js posts to the one-letter paths (/v1/t, /v1/p, …), as Segment's API allows.
      typed.post(
        `/v1/${call.kind.charAt(0)}`,
        { ...options, schema: { hide: true, response: { 200: TrackingAccepted } } },
        handler,
      );
    }

    typed.post(
      '/v1/batch',
      {
        config: publicConfig,
        bodyLimit: MAX_BATCH_BYTES,
        validatorCompiler: passThrough,
        schema: {
          tags: ['tracking'],
          summary: 'Send several calls at once (Segment batch); all are stored or none',
          description: `At most ${MAX_BATCH_BYTES} bytes per request and ${MAX_EVENT_BYTES} per event. A 400 names each invalid event's index in details.invalidEvents.`,
          body: SegmentBatch,
          response: { 200: TrackingAccepted, ...errorResponses(400, 401, 413, 429, 503) },
        },
      },
      async (request) => {
        await tracking.ingest({
          kind: 'batch',
          basicWriteKey: basicWriteKey(request),
          body: request.body,
          ip: request.ip,
          bodyBytes: bodyBytesOf(request.headers['content-length']),
        });
        return { success: true as const };
      },
    );

    typed.get(
      '/v1/projects/:writeKey/settings',
      {
        config: publicConfig,
        schema: {
          tags: ['tracking'],
          summary: 'Source settings for analytics.js (load it with cdnURL set to this server)',
          params: ProjectSettingsParams,
          response: { 200: ProjectSettings, ...errorResponses(401) },
        },
      },
      async (request) => {
        const settings = await tracking.projectSettings(request.params.writeKey, {
          protocol: request.protocol,
          host: request.host,
        });
        if (!settings) throw unauthenticated('Unknown write key');
        return settings;
      },
    );
    done();
  });
}

/** The request body's size as sent, when the client declared it (not with chunked encoding). */
function bodyBytesOf(contentLength: string | undefined): number | undefined {
  const bytes = Number(contentLength);
  return contentLength !== undefined && Number.isSafeInteger(bytes) ? bytes : undefined;
}
