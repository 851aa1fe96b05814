// Who may do what in a business: the one table the services enforce (BusinessAccess.require),
// the routes declare (`config.permission`, shown as `x-permission` in the OpenAPI document), the
// dashboard reads to hide what a role cannot use, and docs/permissions.md is generated from.

export const ROLES = ['owner', 'admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'business.read',
  'content.write',
  'content.approve',
  'business.manage',
  'team.manage',
  'business.delete',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What a route asks of its caller beyond a business permission. */
export type RoutePermission =
  | Permission
  /** Any signed-in user, about their own account or their own list of businesses. */
  | 'self'
  /** The instance administrator only. */
  | 'instance.admin'
  /** No credentials (sign-in, public tracking links). */
  | 'public';

export const PERMISSION_DESCRIPTIONS: Record<Permission, string> = {
  'business.read': 'see everything in the business: campaigns, content, sequences, figures',
  'content.write':
    'create and edit campaigns, content, sequences and subscribers; run AI jobs; submit for review',
  'content.approve': 'approve content, activate and resume sequences, send broadcasts',
  'business.manage':
    'edit the business profile and sender, rotate the write key, business API keys',
  'team.manage': 'invite members, change roles, remove members',
  'business.delete': 'delete the business',
};

const GRANTED: Record<Role, readonly Permission[]> = {
  owner: PERMISSIONS,
  admin: ['business.read', 'content.write', 'content.approve', 'business.manage', 'team.manage'],
  editor: ['business.read', 'content.write'],
  viewer: ['business.read'],
};

/** The approver flag adds this one permission to an editor or a viewer. */
export const APPROVER_GRANTS: Permission = 'content.approve';

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Whether a member with `role` (and the approver flag) may use `permission`. */
export function roleAllows(role: Role, permission: Permission, approver = false): boolean {
  return GRANTED[role].includes(permission) || (approver && permission === APPROVER_GRANTS);
}

/** Roles ranked: an admin may grant or take away roles below owner, only an owner an owner's. */
export const ROLE_RANK: Record<Role, number> = { owner: 3, admin: 2, editor: 1, viewer: 0 };
