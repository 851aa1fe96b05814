// Fixed-window rate limits over the shared CacheStore (memory, or Redis so every process counts
// together). Each route names its policy in `config.rateLimit`; the key is the signed-in user,
// else the client address (which honours TRUST_PROXY). Auth endpoints also count per account,
// through `RateLimiter.hit` called by the auth service.
import type { FastifyInstance } from 'fastify';

import type { CacheStore } from './cache.ts';
import { authModeOf, type RateLimitPolicy } from './http/auth-guard.ts';
import { rateLimited } from './http/errors.ts';

const WINDOW_MS = 60_000;

export interface RateLimits {
  general: number;
  ai: number;
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
