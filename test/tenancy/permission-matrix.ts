// What each caller must get from each route, computed from the route's declared permission and
// the role table (src/shared/permissions.ts) — never written route by route, so the matrix test
// covers a route added later without being edited.
import type { OpenAPIV3_1 } from 'openapi-types';

import { type Role, roleAllows, type RoutePermission } from '../../src/shared/permissions.ts';
import type { Answer, RouteEntry } from './route-table.ts';

/** Who calls: one column of the matrix. */
export interface Caller {
  name: string;
  /** Signed in (a JWT) or with an API key of these scopes. */
  via: { kind: 'jwt' } | { kind: 'api_key'; scopes: readonly ('read' | 'write')[] };
  /** Their membership in the business the calls name; undefined: not a member. */
  membership: { role: Role; approver: boolean } | undefined;
  /** A business API key (it acts on its own business only). */
  businessKey?: boolean;
  /** A business API key used on another business than its own. */
  keyOfAnotherBusiness?: boolean;
  /** The instance administrator. */
  instanceAdmin?: boolean;
  /** Checked on 'self' and 'instance.admin' routes only (not a member of any business here). */
  accountRoutesOnly?: boolean;
}

export type Expected =
  | { answer: 'allowed' }
  | { answer: 'forbidden'; details?: Record<string, string> }
  | { answer: 'not found' }
  | { answer: 'not checked' };

const READS = new Set(['GET', 'HEAD']);

/**
 * 'self' routes a business API key may not use, with the reason: such a key acts on its own
 * business only. Keep this short; each entry is a rule of a service, named here.
 */
export const REFUSED_TO_BUSINESS_KEYS: Record<string, string> = {
  'POST /api/v1/businesses': 'a business key cannot create another business',
  'GET /api/v1/invitations': "a business key cannot answer for its user's invitations",
  'GET /api/v1/invitations/:token': "a business key cannot answer for its user's invitations",
};

/** Whether the document says only a signed-in user (no API key) may call the route. */
export function sessionOnly(document: OpenAPIV3_1.Document, route: RouteEntry): boolean {
  const security = route.operation?.security ?? document.security ?? [];
  return (
    security.length > 0 && security.every((entry) => Object.keys(entry).join() === 'bearerAuth')
  );
}

/** The answer `caller` must get from `route`, which declares `permission`. */
export function expectedAnswer(
  document: OpenAPIV3_1.Document,
  route: RouteEntry,
  permission: RoutePermission,
  caller: Caller,
): Expected {
  if (permission === 'public') return { answer: 'allowed' };
  const isBusinessRoute = permission !== 'self' && permission !== 'instance.admin';
  if (caller.accountRoutesOnly && isBusinessRoute) return { answer: 'not checked' };
  // The auth guard answers before any service: API keys stay out of session routes, and a
  // read-only key may only read.
  if (caller.via.kind === 'api_key') {
    if (sessionOnly(document, route)) return { answer: 'forbidden' };
    if (!READS.has(route.method) && !caller.via.scopes.includes('write')) {
      return { answer: 'forbidden', details: { requiredScope: 'write' } };
    }
  }
  if (permission === 'self') {
    const refused =
      caller.businessKey && `${route.method} ${route.url}` in REFUSED_TO_BUSINESS_KEYS;
    return refused ? { answer: 'forbidden' } : { answer: 'allowed' };
  }
  if (permission === 'instance.admin') {
    return caller.instanceAdmin ? { answer: 'allowed' } : { answer: 'forbidden' };
  }
  if (!caller.membership || caller.keyOfAnotherBusiness) return { answer: 'not found' };
  const { role, approver } = caller.membership;
  return roleAllows(role, permission, approver)
    ? { answer: 'allowed' }
    : { answer: 'forbidden', details: { requiredPermission: permission } };
}

function isRuleRefusal(details: Record<string, unknown> | undefined): boolean {
  if (!details || 'requiredPermission' in details || 'requiredScope' in details) return false;
  return typeof details.rule === 'string' || typeof details.reason === 'string';
}

/** Why `answer` is not what `expected` says; undefined when it is. */
export function mismatch(expected: Expected, answer: Answer): string | undefined {
  const got = `${answer.status} ${answer.code ?? ''}`.trim();
  switch (expected.answer) {
    case 'not checked':
      return undefined;
    case 'allowed':
      // Any 2xx, or a 4xx about the sampled body (400, 409, 422…): not a refusal of the caller.
      // A 403 naming a business rule (`details.rule` or `reason`: only an owner may touch an
      // owner, this invitation was sent to another address) passed the permission and is fine.
      if (answer.status === 403 && isRuleRefusal(answer.details)) return undefined;
      return answer.status === 0 || answer.status >= 500 || [401, 403, 404].includes(answer.status)
        ? `${got}, expected to be let through`
        : undefined;
    case 'not found':
      return answer.status === 404 && answer.code === 'NOT_FOUND'
        ? undefined
        : `${got}, expected 404 NOT_FOUND`;
    case 'forbidden': {
      if (answer.status !== 403 || answer.code !== 'FORBIDDEN')
        return `${got}, expected 403 FORBIDDEN`;
      const wrong = Object.entries(expected.details ?? {}).filter(
        ([name, value]) => answer.details?.[name] !== value,
      );
      return wrong.length === 0
        ? undefined
        : `403 with details ${JSON.stringify(answer.details)}, expected ${JSON.stringify(expected.details)}`;
    }
  }
}

/** Whether the auth guard refused an anonymous caller (public routes must never do this). */
export const refusedAnonymous = (answer: Answer) =>
  answer.status === 401 && answer.message === 'Authentication required';

/** Whether the call may destroy the resources its path names (they are made afresh for it). */
export const destroys = (route: RouteEntry) => route.method === 'DELETE';
