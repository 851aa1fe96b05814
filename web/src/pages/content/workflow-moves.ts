// The moves the review panel offers from each status, and which of them the signed-in member may
// make: approving needs content.approve, every other move content.write (the server's rule; it
// refuses anyway).
import type { Permission } from '@shared/permissions';

import type { ContentStatus } from '../campaigns/queries';

export type Move = 'in_review' | 'approved' | 'draft' | 'archived';

export interface Action {
  to: Move;
  label: string;
  primary?: boolean;
}

/** The moves offered from each status (the server's table is the authority). */
export const ACTIONS: Record<ContentStatus, Action[]> = {
  draft: [
    { to: 'in_review', label: 'Submit for review', primary: true },
    { to: 'archived', label: 'Archive' },
  ],
  in_review: [
    { to: 'approved', label: 'Approve', primary: true },
    { to: 'draft', label: 'Send back to draft' },
    { to: 'archived', label: 'Archive' },
  ],
  approved: [
    { to: 'draft', label: 'Back to draft' },
    { to: 'archived', label: 'Archive' },
  ],
  scheduled: [
    { to: 'draft', label: 'Unschedule and edit' },
    { to: 'archived', label: 'Archive' },
  ],
  published: [{ to: 'archived', label: 'Archive' }],
  failed: [
    { to: 'draft', label: 'Back to draft' },
    { to: 'archived', label: 'Archive' },
  ],
  archived: [{ to: 'draft', label: 'Restore to draft' }],
};

/** What moving a piece from `from` to `to` asks of the member. */
export function permissionFor(from: ContentStatus, to: Move): Permission {
  // Back from scheduled to approved only unschedules: the text was approved already.
  return to === 'approved' && from !== 'scheduled' ? 'content.approve' : 'content.write';
}

/** The moves from `status` that a member holding `permissions` may make. */
export function offeredActions(
  status: ContentStatus,
  permissions: readonly Permission[],
): Action[] {
  return ACTIONS[status].filter((action) => permissions.includes(permissionFor(status, action.to)));
}
