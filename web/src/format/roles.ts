// The words for roles a marketer reads ("Editor", "Can approve"), and what each role may do,
// from the same table the server enforces (src/shared/permissions.ts).
import {
  PERMISSION_DESCRIPTIONS,
  PERMISSIONS,
  type Role,
  roleAllows,
  ROLES,
} from '@shared/permissions';

export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  editor: 'Editor',
  viewer: 'Viewer',
};

export function roleLabel(role: Role, approver = false): string {
  const plain = ROLE_LABELS[role];
  return approver && (role === 'editor' || role === 'viewer') ? `${plain}, can approve` : plain;
}

/** Roles from the most to the least trusted. */
export { ROLES };

/** One line per role: what it may do, in the table's own words. */
export function roleSummaries(): { role: Role; label: string; can: string[] }[] {
  return ROLES.map((role) => ({
    role,
    label: ROLE_LABELS[role],
    can: PERMISSIONS.filter((permission) => roleAllows(role, permission)).map(
      (permission) => PERMISSION_DESCRIPTIONS[permission],
    ),
  }));
}

/** Owners and admins approve anyway: the approver flag only means something below them. */
export function approverMatters(role: Role): boolean {
  return role === 'editor' || role === 'viewer';
}
