// The tenancy check every module makes first: may this principal act on this business?
// A business of another user answers NOT_FOUND, exactly like one that does not exist, so ids
// cannot be probed. Modules take a BusinessAccess and call `require` before anything else.
import type { Executor } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { found } from '../../platform/http/errors.ts';
import { type BusinessRow, createBusinessRepository } from './repository.ts';

export interface BusinessAccess {
  /** The business, when `principal` owns it; otherwise NOT_FOUND. */
  require(principal: Principal, businessId: string): Promise<BusinessRow>;
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

export function createBusinessAccess(db: Executor): BusinessAccess {
  const repository = createBusinessRepository(db);
  return {
    async require(principal, businessId) {
      return found(await repository.findOwned(principal.userId, businessId), 'Business');
    },
    async mayReceiveTestSends(principal, business, address) {
      const team = await repository.emailsOf([...new Set([principal.userId, business.ownerId])]);
      return team.includes(address.trim().toLowerCase());
    },
  };
}
