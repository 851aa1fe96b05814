// Fixed-window rate limits over the shared CacheStore (memory, or Redis so every process counts
// together). Each route names its policy in `config.rateLimit`; the key is the signed-in user,
// else the client address (which honours TRUST_PROXY). Failures (wrong passwords, unknown API
// keys, bad tokens) are counted apart by `recordFailure`, which blocks a key for a while once it
// has failed too often, and `blockedFor` answers whether it is blocked without counting.
import type { FastifyInstance } from 'fastify';

import type { CacheStore } from './cache.ts';
import { authModeOf, type RateLimitPolicy } from './http/auth-guard.ts';
import { rateLimited } from './http/errors.ts';

const WINDOW_MS = 60_000;

export interface RateLimits {
  general: number;
  ai: number;
  /** Messages to the marketing agents, per user. */
  chat: number;
  auth: number;
}

export class RateLimiter {
  private readonly cache: CacheStore;
  readonly limits: RateLimits;

  constructor(cache: CacheStore, limits: RateLimits) {
    this.cache = cache;
    this.limits = limits;
  }

  /**
   * Counts one hit against `key` under `policy` and throws RATE_LIMITED (with Retry-After)
   * once the window's allowance is used up. Returns what is left for the headers.
   */
  async hit(
    policy: Exclude<RateLimitPolicy, 'none'>,
    key: string,
  ): Promise<{ limit: number; remaining: number; resetSeconds: number }> {
    const limit = this.limits[policy];
    const { count, ttlMs } = await this.cache.increment(`rl:${policy}:${key}`, WINDOW_MS);
    const resetSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
    if (count > limit) {
      throw rateLimited(resetSeconds, 'Too many requests, slow down');
    }
    return { limit, remaining: limit - count, resetSeconds };
  }

  /**
   * Counts one hit against `key` in a window of `windowMs` allowing `limit` hits (a route's own
   * limit, e.g. per tracking write key per second); throws RATE_LIMITED once it is used up.
   */
  async hitWindow(key: string, limit: number, windowMs: number): Promise<void> {
    const { count, ttlMs } = await this.cache.increment(`rl:${key}`, windowMs);
    if (count > limit) {
      throw rateLimited(Math.max(1, Math.ceil(ttlMs / 1000)), 'Too many requests, slow down');
    }
  }
}

/** Seconds until `expiresAt` (a Date.now() value kept as text in the cache), at least 1. */
function secondsUntil(expiresAt: string | null): number | undefined {
  const at = Number(expiresAt);
  if (!expiresAt || !Number.isFinite(at) || at <= Date.now()) return undefined;
  return Math.max(1, Math.ceil((at - Date.now()) / 1000));
}

/**
 * Failure counting: `limit` failures within `windowMs` block the key for `blockMs`. With
 * `restartCount` the count starts again after a block; without, every further failure in the
 * window blocks again (a backoff of one attempt per `blockMs`).
 */
export interface FailurePolicy {
  limit: number;
  windowMs: number;
  blockMs: number;
  restartCount: boolean;
}

export class FailureLimiter {
  private readonly cache: CacheStore;

  constructor(cache: CacheStore) {
    this.cache = cache;
  }

  /** Seconds the key is still blocked for, or undefined: one cache read, nothing counted. */
  async blockedFor(key: string): Promise<number | undefined> {
    return secondsUntil(await this.cache.get(`block:${key}`));
  }

  /** Counts one failure; returns the block's length in seconds when this one started a block. */
  async recordFailure(key: string, policy: FailurePolicy): Promise<number | undefined> {
    const { count } = await this.cache.increment(`fail:${key}`, policy.windowMs);
    if (count < policy.limit) return undefined;
    await this.cache.set(`block:${key}`, String(Date.now() + policy.blockMs), policy.blockMs);
    if (policy.restartCount) await this.cache.delete(`fail:${key}`);
    return Math.ceil(policy.blockMs / 1000);
  }

  /** Forgets the failures (and any block) of a key, e.g. after a successful sign-in. */
  async clear(key: string): Promise<void> {
    await this.cache.delete(`fail:${key}`);
    await this.cache.delete(`block:${key}`);
  }
}

export function installRateLimits(app: FastifyInstance, limiter: RateLimiter): void {
  // Runs after the auth guard (registered later), so a signed-in user is limited as themselves.
  app.addHook('onRequest', async (request, reply) => {
    const declared = request.routeOptions.config.rateLimit;
    const policy: RateLimitPolicy =
      declared ?? (authModeOf(request) === 'public' ? 'none' : 'general');
    if (policy === 'none') return;
    const who = request.principal ? `user:${request.principal.userId}` : `ip:${request.ip}`;
    const state = await limiter.hit(policy, who);
    void reply.header('x-ratelimit-limit', String(state.limit));
    void reply.header('x-ratelimit-remaining', String(state.remaining));
    void reply.header('x-ratelimit-reset', String(state.resetSeconds));
  });
}
