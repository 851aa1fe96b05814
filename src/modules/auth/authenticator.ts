// Turns the credentials of a request (a bearer JWT or an API key) into a principal, cheaply:
// a JWT costs one cache read (its sign-in's state: live or revoked), an API key one cache read
// (found or not found); the database is asked only on a cache miss. Failed attempts are counted
// per client address, and an address past its allowance gets 429 before the database is asked.
import type { CacheStore } from '../../platform/cache.ts';
import type { Database } from '../../platform/db/client.ts';
import type { Credentials, Principal, Scope } from '../../platform/http/auth-guard.ts';
import { AppError, rateLimited, unauthenticated } from '../../platform/http/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { FailureLimiter, FailurePolicy } from '../../platform/rate-limit.ts';
import {
  type AccessClaims,
  type AccessTokens,
  endedAccess,
  isEndedAccess,
  tokenHash,
} from './credentials.ts';
import { createAuthRepository } from './repository.ts';

/** What the API-key cache holds: enough to authorise without a database round trip. */
interface CachedApiKey {
  id: string;
  userId: string;
  /** A business key's one business; absent for a personal key. */
  businessId?: string;
  scopes: Scope[];
  revoked: boolean;
}

const LAST_USED_RESOLUTION_MS = 60_000;
/** How long "no such key" is remembered, so a stream of made-up keys does not reach the database. */
const NEGATIVE_API_KEY_TTL_MS = 30_000;
const NO_SUCH_KEY = 'none';
/** How long "this sign-in is live" is remembered (revocation overwrites it at once). */
const LIVE_SESSION_TTL_MS = 30_000;
const REVOKED = 'revoked';
const TOO_MANY_FAILURES = 'Too many failed authentication attempts from this address';

export interface AuthenticatorDeps {
  db: Database;
  cache: CacheStore;
  tokens: AccessTokens;
  failures: FailureLimiter;
  logger: Logger;
  config: { apiKeyCacheTtlSeconds: number; accessTtlSeconds: number; failedAuthPerMinute: number };
}

export const sessionCacheKey = (sessionId: string) => `session:${sessionId}`;
export const apiKeyCacheKey = (keyHash: string) => `apikey:${keyHash}`;

export function createAuthenticator(deps: AuthenticatorDeps) {
  const { cache, tokens, failures, config } = deps;
  const repository = createAuthRepository(deps.db);
  const lastTouched = new Map<string, number>();
  const failedAuth: FailurePolicy = {
    limit: config.failedAuthPerMinute,
    windowMs: 60_000,
    blockMs: 60_000,
    restartCount: true,
  };
  const clientKey = (ip: string) => `auth-client:${ip}`;

  /** Throws 429 when the address has failed too often: called before any database lookup. */
  async function refuseBlocked(ip: string): Promise<void> {
    const seconds = await failures.blockedFor(clientKey(ip));
    if (seconds !== undefined) {
      throw rateLimited(seconds, TOO_MANY_FAILURES);
    }
  }

  async function apiKeyPrincipal(key: string, ip: string): Promise<Principal> {
    const hash = tokenHash(key);
    const cacheKey = apiKeyCacheKey(hash);
    let entry: CachedApiKey | null = null;
    const cached = await cache.get(cacheKey);
    if (cached && cached !== NO_SUCH_KEY) {
      entry = JSON.parse(cached) as CachedApiKey;
    } else if (!cached) {
      await refuseBlocked(ip);
      const row = await repository.findApiKeyByHash(hash);
      const ttlMs = config.apiKeyCacheTtlSeconds * 1000;
      if (row) {
        entry = {
          id: row.id,
          userId: row.userId,
          ...(row.businessId === null ? {} : { businessId: row.businessId }),
          scopes: row.scopes.filter((s): s is Scope => s === 'read' || s === 'write'),
          // A disabled user's keys are refused like revoked ones (enabling them clears this).
          revoked: row.revokedAt !== null || row.userDisabled,
        };
        if (ttlMs > 0) await cache.set(cacheKey, JSON.stringify(entry), ttlMs);
      } else if (ttlMs > 0) {
        await cache.set(cacheKey, NO_SUCH_KEY, Math.min(ttlMs, NEGATIVE_API_KEY_TTL_MS));
      }
    }
    if (!entry || entry.revoked) throw unauthenticated('Invalid or revoked API key');
    const now = Date.now();
    const { id } = entry;
    // last_used_at is kept to the minute, written off the request path.
    if (now - (lastTouched.get(id) ?? 0) > LAST_USED_RESOLUTION_MS) {
      lastTouched.set(id, now);
      repository.touchApiKey(id).catch((error: unknown) => {
        deps.logger.warn({ err: error, apiKeyId: id }, 'could not record API key use');
      });
    }
    return {
      userId: entry.userId,
      via: 'api_key',
      apiKeyId: entry.id,
      scopes: entry.scopes,
      ...(entry.businessId === undefined ? {} : { businessId: entry.businessId }),
    };
  }

  /**
   * A signed token is honoured while its sign-in is live: not signed out, not revoked by a
   * password change or a refresh-token reuse, and its user still there and not disabled. The answer is cached
   * (revocations overwrite it at once, and are kept for an access-token lifetime).
   */
  async function checkSession(claims: AccessClaims, ip: string): Promise<void> {
    const key = sessionCacheKey(claims.sessionId);
    const state = await cache.get(key);
    if (state === `live:${claims.userId}`) return;
    if (state === REVOKED) throw endedAccess('This sign-in has ended: sign in again', 'signed_out');
    if (state === null) {
      await refuseBlocked(ip);
      const live = await repository.isSessionLive(claims.sessionId, claims.userId);
      if (live) {
        await cache.set(key, `live:${claims.userId}`, LIVE_SESSION_TTL_MS);
        return;
      }
      await cache.set(key, REVOKED, config.accessTtlSeconds * 1000);
    }
    throw unauthenticated('This sign-in has ended: sign in again');
  }

  async function resolve(credentials: Credentials & { ip: string }): Promise<Principal> {
    if (credentials.apiKey) return apiKeyPrincipal(credentials.apiKey, credentials.ip);
    if (credentials.bearer) {
      const claims = tokens.verify(credentials.bearer);
      await checkSession(claims, credentials.ip);
      return {
        userId: claims.userId,
        via: 'jwt',
        sessionId: claims.sessionId,
        scopes: ['read', 'write'],
      };
    }
    throw unauthenticated();
  }

  return {
    async authenticate(credentials: Credentials & { ip: string }): Promise<Principal> {
      try {
        return await resolve(credentials);
      } catch (error) {
        if (
          error instanceof AppError &&
          error.code === 'UNAUTHENTICATED' &&
          !isEndedAccess(error)
        ) {
          await refuseBlocked(credentials.ip);
          // The allowance's last failure still answers 401; the next attempt gets the 429.
          await failures.recordFailure(clientKey(credentials.ip), failedAuth);
        }
        throw error;
      }
    },

    /** Ends these sign-ins' access tokens now, in every process sharing the cache. */
    async revokeSessions(sessionIds: readonly string[]): Promise<void> {
      for (const sessionId of sessionIds) {
        await cache.set(sessionCacheKey(sessionId), REVOKED, config.accessTtlSeconds * 1000);
      }
    },

    async forgetApiKey(keyHash: string): Promise<void> {
      await cache.delete(apiKeyCacheKey(keyHash));
    },
  };
}

export type AuthenticatorService = ReturnType<typeof createAuthenticator>;
