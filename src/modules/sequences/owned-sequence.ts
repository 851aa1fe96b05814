// The first check of every service function about one sequence: the caller may do this in the
// business, and the sequence is that business's (another tenant's sequence answers 404).
import type { Principal } from '../../platform/http/auth-guard.ts';
import { found } from '../../platform/http/errors.ts';
import type { Permission } from '../../shared/permissions.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import type { SequenceRepository, SequenceRow } from './repository.ts';

export type OwnedSequence = (
  principal: Principal,
  businessId: string,
  sequenceId: string,
  permission: Permission,
) => Promise<SequenceRow>;

export function createOwnedSequence(deps: {
  access: BusinessAccess;
  repository: SequenceRepository;
}): OwnedSequence {
  return async function ownedSequence(principal, businessId, sequenceId, permission) {
    await deps.access.require(principal, businessId, permission);
    return found(await deps.repository.find(businessId, sequenceId), 'Sequence');
  };
}
