// What the signed-in user may do in the business on screen, from the `permissions` the Business
// answer carries (src/shared/permissions.ts is the table). Pages hide the buttons a role cannot
// use; the server refuses anyway, and `refusalMessage` says so in words a marketer reads.
import type { Permission } from '@shared/permissions';

import { ApiError } from '../api/errors';
import type { Business } from '../api/queries';

export function can(business: Pick<Business, 'permissions'>, permission: Permission): boolean {
  return business.permissions.includes(permission);
}

const REFUSED: Partial<Record<Permission, string>> = {
  'content.approve':
    'Only owners, admins and members who may approve can do this. Ask one of them to approve it.',
  'content.write': 'Your role can look but not change anything here. Ask an owner or an admin.',
};

/** A 403 explained ("only approvers…"), or null for any other error. */
export function refusalMessage(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.status !== 403) return null;
  const required = error.details.requiredPermission;
  const known = typeof required === 'string' ? REFUSED[required as Permission] : undefined;
  return known ?? 'Your role does not allow this. Ask an owner or an admin of this business.';
}
