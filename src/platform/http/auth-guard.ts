// Authentication for every route, declared on the route itself: `config.auth` is 'public',
// 'user' (a bearer JWT or an API key) or 'session' (a bearer JWT only: managing API keys is
// not something an API key may do). Routes under /api/v1 default to 'user', others to 'public'.
// A read-scoped API key may only read.
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { AppError, forbidden, unauthenticated } from './errors.ts';

export type AuthMode = 'public' | 'user' | 'session';
export type RateLimitPolicy = 'general' | 'ai' | 'chat' | 'auth' | 'none';
export type Scope = 'read' | 'write';

export interface Principal {
  userId: string;
  via: 'jwt' | 'api_key';
  apiKeyId?: string;
  /** Set for a business API key: the one business it may act on. */
  businessId?: string;
  /** The sign-in (refresh-token family) a JWT belongs to; revoked at logout. */
  sessionId?: string;
  scopes: readonly Scope[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
    rateLimit?: RateLimitPolicy;
    /** Also accept `?accessToken=` (server-sent events: EventSource cannot set headers). */
    queryToken?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface Credentials {
  bearer?: string;
  apiKey?: string;
}

/**
 * Resolves credentials, presented from client address `ip`, to a principal; throws
 * UNAUTHENTICATED, or RATE_LIMITED when that address has failed too often.
 */
export type Authenticator = (credentials: Credentials & { ip: string }) => Promise<Principal>;

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A route's auth mode: as declared, else 'user' under /api/v1 and 'public' elsewhere. */
export function routeAuthMode(url: string | undefined, declared: AuthMode | undefined): AuthMode {
  if (declared) return declared;
  return url?.startsWith('/api/v1/') ? 'user' : 'public';
}

export function authModeOf(request: FastifyRequest): AuthMode {
  return routeAuthMode(request.routeOptions.url, request.routeOptions.config.auth);
}

/** What the OpenAPI document says a route accepts (the document's default is JWT or API key). */
const SECURITY_OF_MODE: Record<AuthMode, Record<string, string[]>[] | undefined> = {
  public: [],
  user: undefined,
  session: [{ bearerAuth: [] }],
};

function credentialsOf(request: FastifyRequest): Credentials | undefined {
  const header = request.headers.authorization;
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return { apiKey };
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw unauthenticated('Authorization header must be "Bearer <token>"');
    return { bearer: match[1] };
  }
  if (request.routeOptions.config.queryToken) {
    const token = (request.query as Record<string, unknown> | undefined)?.accessToken;
    if (typeof token === 'string' && token.length > 0) return { bearer: token };
  }
  return undefined;
}

/** The principal of an authenticated request; routes with auth 'user'/'session' always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthenticated();
  return request.principal;
}

export function installAuthGuard(app: FastifyInstance, authenticate: Authenticator): void {
  app.decorateRequest('principal', null);
  // The OpenAPI document tells clients which credentials each route takes, from the same
  // declaration the guard enforces (public routes and session-only routes differ from the default).
  app.addHook('onRoute', (route) => {
    const security = SECURITY_OF_MODE[routeAuthMode(route.url, route.config?.auth)];
    if (route.schema && security && route.schema.security === undefined) {
      route.schema.security = security;
    }
  });
  app.addHook('onRequest', async (request) => {
    const mode = authModeOf(request);
    if (mode === 'public') return;
    const credentials = credentialsOf(request);
    if (!credentials) throw unauthenticated();
    const principal = await authenticate({ ...credentials, ip: request.ip });
    if (mode === 'session' && principal.via !== 'jwt') {
      throw forbidden('This action needs a signed-in user, not an API key');
    }
    if (!READ_METHODS.has(request.method) && !principal.scopes.includes('write')) {
      throw new AppError('FORBIDDEN', 'This API key is read-only', {
        details: { requiredScope: 'write' },
      });
    }
    request.principal = principal;
  });
}
