// The tenancy and permission check every module makes first: is this principal a member of this
// business, and does their role allow this? A business the principal is not a member of answers
// NOT_FOUND, exactly like one that does not exist, so ids cannot be probed; a member whose role
// does not allow the action gets FORBIDDEN naming the permission. Services call `require` before
// anything else — never the routes — with the permission their route declares
// (src/shared/permissions.ts is the table).
//
// `require` is on every request's path, so the membership is cached for a few seconds in the
// shared cache (Redis when configured, so every process sees a change at once): a role change,
// a removal or a deleted business calls `forget`. `load` reads the business itself, never cached.
import type { CacheStore } from '../../platform/cache.ts';
import type { Executor } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, notFound } from '../../platform/http/errors.ts';
import { isRole, type Permission, type Role, roleAllows } from '../../shared/permissions.ts';
import { type BusinessRow, createBusinessRepository } from './repository.ts';

/** How long a membership is remembered; `forget` ends it sooner. */
export const ACCESS_CACHE_TTL_MS = 30_000;

export const accessCacheKey = (businessId: string, userId: string) =>
  `access:${businessId}:${userId}`;

export interface Membership {
  role: Role;
  approver: boolean;
}

export interface BusinessAccess {
  /**
   * The principal's membership when it allows `permission` in the business; NOT_FOUND when the
   * principal is not a member (or holds a key of another business), FORBIDDEN when the role
   * does not allow it.
   */
  require(principal: Principal, businessId: string, permission: Permission): Promise<Membership>;
  /** The business, when `principal` may use `permission` there (see `require`). */
  load(principal: Principal, businessId: string, permission: Permission): Promise<BusinessRow>;
  /** Ends the cached membership of this user in this business (role changed, removed, deleted). */
  forget(businessId: string, userId: string): Promise<void>;
  /**
   * Whether `address` may receive the business's test sends: the signed-in user's own address
   * or one of the business's members, so a test send never reaches a stranger.
   */
  mayReceiveTestSends(
    principal: Principal,
    business: BusinessRow,
    address: string,
  ): Promise<boolean>;
}

const encode = (membership: Membership) =>
  membership.approver ? `${membership.role}+approver` : membership.role;

function decode(value: string | null): Membership | undefined {
  if (!value) return undefined;
  const [role = '', flag] = value.split('+');
  return isRole(role) ? { role, approver: flag === 'approver' } : undefined;
}

export function forbiddenFor(permission: Permission, membership: Membership): AppError {
  return new AppError('FORBIDDEN', `Your role (${membership.role}) does not allow this`, {
    details: { requiredPermission: permission, role: membership.role },
  });
}

export function createBusinessAccess(db: Executor, cache: CacheStore): BusinessAccess {
  const repository = createBusinessRepository(db);

  async function membershipOf(principal: Principal, businessId: string): Promise<Membership> {
    // A business API key acts on its own business only.
    if (principal.businessId !== undefined && principal.businessId !== businessId) {
      throw notFound('Business');
    }
    const key = accessCacheKey(businessId, principal.userId);
    const cached = decode(await cache.get(key));
    if (cached) return cached;
    // Only a membership is remembered: a refusal is rare, and a business created (or an
    // invitation accepted) a moment ago must not be refused from a stale answer.
    const row = await repository.membership(principal.userId, businessId);
    if (!row || !isRole(row.role)) throw notFound('Business');
    const membership: Membership = { role: row.role, approver: row.approver };
    await cache.set(key, encode(membership), ACCESS_CACHE_TTL_MS);
    return membership;
  }

  async function require(principal: Principal, businessId: string, permission: Permission) {
    const membership = await membershipOf(principal, businessId);
    if (!roleAllows(membership.role, permission, membership.approver)) {
      throw forbiddenFor(permission, membership);
    }
    return membership;
  }

  return {
    require,
    async load(principal, businessId, permission) {
      await require(principal, businessId, permission);
      const row = await repository.findById(businessId);
      if (!row) throw notFound('Business');
      return row;
    },
    async forget(businessId, userId) {
      await cache.delete(accessCacheKey(businessId, userId));
    },
    async mayReceiveTestSends(_principal, business, address) {
      // The caller passed `require`, so their own address is among the members'.
      const team = await repository.memberEmails(business.id);
      return team.includes(address.trim().toLowerCase());
    },
  };
}
