// Correlation IDs and request metrics. The ID comes from the caller's X-Correlation-ID when it
// is a sane token, else a new UUID; it is echoed back and carried by every log line of the
// request (fastify binds it to request.log as `correlationId`).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { FastifyInstance } from 'fastify';

import type { Metrics } from '../metrics.ts';

export const CORRELATION_HEADER = 'x-correlation-id';
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** fastify's genReqId: trust the caller's ID only when it cannot smuggle anything into logs. */
export function correlationIdFor(request: IncomingMessage): string {
  const sent = request.headers[CORRELATION_HEADER];
  const candidate = Array.isArray(sent) ? sent[0] : sent;
  return candidate && SAFE_ID.test(candidate) ? candidate : randomUUID();
}

const startTimes = new WeakMap<object, bigint>();

export function installObservability(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onRequest', (request, reply, done) => {
    startTimes.set(request, process.hrtime.bigint());
    metrics.httpInFlight.inc();
    void reply.header('x-correlation-id', request.id);
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpInFlight.dec();
    const started = startTimes.get(request);
    const seconds = started === undefined ? 0 : Number(process.hrtime.bigint() - started) / 1e9;
    // The route template keeps label cardinality bounded; unmatched URLs share one label.
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpRequestDuration.observe(labels, seconds);
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    request.log[level](
      {
        method: request.method,
        route: labels.route,
        url: request.url.split('?')[0],
        statusCode: reply.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
      },
      'request completed',
    );
    done();
  });
}
