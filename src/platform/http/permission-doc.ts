// What each route asks of its caller, declared on the route (`config.permission`) and published
// in the OpenAPI document as the operation's `x-permission` plus a line of its description. The
// services enforce it (BusinessAccess.require); the generated permission-matrix test checks that
// every route declares one and that each role gets the answer the declaration promises.
import type { FastifyInstance } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';

import {
  isRole,
  type Permission,
  PERMISSIONS,
  roleAllows,
  ROLES,
  type RoutePermission,
} from '../../shared/permissions.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the caller needs: a business permission, 'self', 'instance.admin' or 'public'. */
    permission?: RoutePermission;
  }
}

const isPermission = (value: string): value is Permission =>
  (PERMISSIONS as readonly string[]).includes(value);

/** The line the document adds to an operation's description. */
export function permissionLine(permission: RoutePermission): string {
  if (isPermission(permission)) {
    const roles = ROLES.filter((role) => isRole(role) && roleAllows(role, permission));
    const approver = permission === 'content.approve' ? ', or a member with the approver flag' : '';
    return `Permission: \`${permission}\` (${roles.join(', ')}${approver}).`;
  }
  if (permission === 'instance.admin') return 'Permission: the instance administrator.';
  if (permission === 'self') return 'Permission: any signed-in user, for their own account.';
  return 'Permission: none (public).';
}

const routeKey = (method: string, url: string) =>
  `${method.toLowerCase()} ${url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;

/**
 * Records every route's declared permission and adds it to the route's description; returns the
 * transform that writes `x-permission` into the OpenAPI document (swagger's `transformObject`).
 */
export function installPermissionDoc(app: FastifyInstance) {
  const declared = new Map<string, RoutePermission>();
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    if (!permission) return;
    for (const method of [route.method].flat())
      declared.set(routeKey(method, route.url), permission);
    if (route.schema && !route.schema.hide) {
      const line = permissionLine(permission);
      const description = route.schema.description;
      route.schema.description = description ? `${description}\n\n${line}` : line;
    }
  });
  return function addPermissions<T extends OpenAPIV3_1.Document>(document: T): T {
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const [method, operation] of Object.entries(item ?? {})) {
        const permission = declared.get(`${method} ${path}`);
        if (permission && typeof operation === 'object') {
          (operation as Record<string, unknown>)['x-permission'] = permission;
        }
      }
    }
    return document;
  };
}
