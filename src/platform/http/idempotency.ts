// Idempotency-Key for POSTs that create something or start a job (route `config.idempotent`).
// The first request with a key is handled and its response kept for 24 hours; a retry with the
// same key and the same request gets that response again (`Idempotent-Replayed: true`), the same
// key with a different request is 409, and a retry while the first is still running is 409 too.
import { createHash } from 'node:crypto';

import { and, eq, lt, sql } from 'drizzle-orm';
import type {
  FastifyInstance,
  FastifyRequest,
  onSendAsyncHookHandler,
  preHandlerAsyncHookHandler,
} from 'fastify';

import type { Database } from '../db/client.ts';
import { idempotencyKeys } from '../db/schema/index.ts';
import { AppError, conflict } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    idempotent?: boolean;
  }
}

const HEADER = 'idempotency-key';
const KEEP_MS = 24 * 60 * 60 * 1000;
const VALID_KEY = /^[\x21-\x7e]{1,200}$/;

interface Claim {
  userId: string;
  key: string;
}
const claims = new WeakMap<FastifyRequest, Claim>();

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('base64url');
}

export function installIdempotency(app: FastifyInstance, db: Database): void {
  // preHandler: after authentication and body validation, before the handler does anything.
  const claimKey: preHandlerAsyncHookHandler = async function (request, reply) {
    const key = request.headers[HEADER];
    if (key === undefined || !request.principal) return;
    if (typeof key !== 'string' || !VALID_KEY.test(key)) {
      throw new AppError('VALIDATION_ERROR', 'Idempotency-Key must be 1–200 printable characters', {
        details: { issues: [{ path: 'headers.idempotency-key', message: 'invalid' }] },
      });
    }
    const userId = request.principal.userId;
    const hash = requestHash(request);
    const where = and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key));
    // Keys past their lifetime are forgotten, so the key may be used afresh.
    await db
      .delete(idempotencyKeys)
      .where(and(where, lt(idempotencyKeys.createdAt, new Date(Date.now() - KEEP_MS))));
    const claimed = await db
      .insert(idempotencyKeys)
      .values({ userId, key, method: request.method, path: request.url, requestHash: hash })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length > 0) {
      claims.set(request, { userId, key });
      return;
    }
    const [existing] = await db.select().from(idempotencyKeys).where(where);
    if (!existing) throw conflict('Idempotency-Key is being reset; retry');
    if (existing.requestHash !== hash) {
      throw conflict('This Idempotency-Key was used with a different request');
    }
    if (existing.statusCode === null) {
      throw conflict('A request with this Idempotency-Key is still being processed');
    }
    void reply.header('idempotent-replayed', 'true');
    return reply.status(existing.statusCode).send(existing.responseBody);
  };

  const keepResponse: onSendAsyncHookHandler = async function (request, reply, payload) {
    const claim = claims.get(request);
    if (!claim) return payload;
    claims.delete(request);
    const where = and(eq(idempotencyKeys.userId, claim.userId), eq(idempotencyKeys.key, claim.key));
    if (reply.statusCode >= 500) {
      // A server failure is not a result: let the client retry with the same key.
      await db.delete(idempotencyKeys).where(where);
      return payload;
    }
    const body =
      typeof payload === 'string' && payload.length > 0 ? (JSON.parse(payload) as unknown) : null;
    await db
      .update(idempotencyKeys)
      .set({ statusCode: reply.statusCode, responseBody: sql`${JSON.stringify(body)}::jsonb` })
      .where(where);
    return payload;
  };

  // Only the routes that declare `idempotent` carry the hooks: every other request skips them.
  app.addHook('onRoute', (route) => {
    if (!route.config?.idempotent) return;
    route.preHandler = [...hooksOf(route.preHandler), claimKey];
    route.onSend = [...hooksOf(route.onSend), keepResponse];
  });
}

function hooksOf<Hook>(declared: Hook | Hook[] | undefined): Hook[] {
  if (declared === undefined) return [];
  return Array.isArray(declared) ? declared : [declared];
}
