// The tenancy check every module makes first: may this principal act on this business?
// A business of another user answers NOT_FOUND, exactly like one that does not exist, so ids
// cannot be probed. Modules take a BusinessAccess and call `require` before anything else.
//
// `require` is on every request's path, so its answer is cached for a few seconds in the shared
// cache (Redis when configured, so every process sees a change at once): a change of ownership
// or a deleted business calls `forget`. `load` reads the business itself and is never cached.
import type { CacheStore } from '../../platform/cache.ts';
import type { Executor } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { found, notFound } from '../../platform/http/errors.ts';
import { type BusinessRow, createBusinessRepository } from './repository.ts';

/** How long "this user owns this business" is remembered; `forget` ends it sooner. */
export const ACCESS_CACHE_TTL_MS = 30_000;
const OWNER = 'owner';

export const accessCacheKey = (businessId: string, userId: string) =>
  `access:${businessId}:${userId}`;

export interface BusinessAccess {
  /** Returns when `principal` owns the business; otherwise NOT_FOUND. */
  require(principal: Principal, businessId: string): Promise<void>;
  /** The business, when `principal` owns it; otherwise NOT_FOUND. */
  load(principal: Principal, businessId: string): Promise<BusinessRow>;
  /** Ends the cached answer for this user and business (ownership changed, business deleted). */
  forget(businessId: string, userId: string): Promise<void>;
  /**
   * Whether `address` may receive the business's test sends: the signed-in user's own address
   * or one of the business's team (today its owner; members join here when teams come), so a
   * test send never reaches a stranger.
   */
  mayReceiveTestSends(
    principal: Principal,
    business: BusinessRow,
    address: string,
  ): Promise<boolean>;
}

export function createBusinessAccess(db: Executor, cache: CacheStore): BusinessAccess {
  const repository = createBusinessRepository(db);
  return {
    async require(principal, businessId) {
      const key = accessCacheKey(businessId, principal.userId);
      if ((await cache.get(key)) === OWNER) return;
      // Only a yes is remembered: a refusal is rare, and a business created a moment ago must
      // not be refused from a stale answer.
      if (!(await repository.isOwnedBy(principal.userId, businessId))) throw notFound('Business');
      await cache.set(key, OWNER, ACCESS_CACHE_TTL_MS);
    },
    async load(principal, businessId) {
      return found(await repository.findOwned(principal.userId, businessId), 'Business');
    },
    async forget(businessId, userId) {
      await cache.delete(accessCacheKey(businessId, userId));
    },
    async mayReceiveTestSends(principal, business, address) {
      const team = await repository.emailsOf([...new Set([principal.userId, business.ownerId])]);
      return team.includes(address.trim().toLowerCase());
    },
  };
}
