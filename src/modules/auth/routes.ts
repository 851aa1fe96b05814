// /api/v1/auth: sessions (register, login, refresh, logout, me), the registration mode, API keys
// (a business's keys under /api/v1/businesses/{businessId}/api-keys) and the audit trail.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import type { App } from '../../platform/http/types.ts';
import type { AuditTrail, RequestOrigin } from './audit.ts';
import {
  ApiKey,
  ApiKeyPage,
  ApiKeyParams,
  AuditEventPage,
  BusinessApiKeyPage,
  BusinessKeyParams,
  BusinessKeysParams,
  ChangePasswordBody,
  CreateApiKeyBody,
  CreatedApiKey,
  LoginBody,
  RefreshBody,
  RegisterBody,
  Registration,
  RegistrationPending,
  TokenResponse,
  User,
  VerifyEmailBody,
} from './schemas.ts';
import type { AuthService } from './service.ts';

export const REFRESH_COOKIE = 'herald_refresh';
const COOKIE_PATH = '/api/v1/auth';

export function originOf(request: FastifyRequest): RequestOrigin {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

export function authRoutes(
  app: App,
  deps: { auth: AuthService; audit: AuditTrail; secureCookies: boolean; refreshTtlDays: number },
): void {
  const { auth, audit } = deps;

  function setRefreshCookie(reply: FastifyReply, token: string): void {
    void reply.setCookie(REFRESH_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookies,
      path: COOKIE_PATH,
      maxAge: deps.refreshTtlDays * 86_400,
    });
  }

  app.post(
    '/api/v1/auth/register',
    {
      config: { permission: 'public', auth: 'public', rateLimit: 'auth' },
      schema: {
        tags: ['auth'],
        summary: 'Create an account',
        description:
          'Without SMTP configured: 201 with a session, 409 when the address has an account. With SMTP: 202 for every address, new or not; a new address receives a link that finishes the sign-up (POST /auth/verify-email), an existing one a note saying it already has an account. 403 when REGISTRATION does not allow it: `invite` takes only an email with a pending invitation, `closed` nobody (the first account of an instance is always allowed, and becomes its administrator).',
        body: RegisterBody,
        response: {
          201: TokenResponse,
          202: RegistrationPending,
          ...errorResponses(400, 401, 403, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const outcome = await auth.register(request.body, originOf(request));
      if (outcome.kind === 'pending') {
        return reply.status(202).send({
          status: 'pending' as const,
          message: 'Check your email to finish signing up',
        });
      }
      setRefreshCookie(reply, outcome.session.refreshToken);
      return reply.status(201).send(outcome.session);
    },
  );

  app.get(
    '/api/v1/auth/registration',
    {
      config: { permission: 'public', auth: 'public', rateLimit: 'general' },
      schema: {
        tags: ['auth'],
        summary: 'Who may create an account (REGISTRATION), for the sign-up page',
        response: { 200: Registration, ...errorResponses(429) },
      },
    },
    async () => ({ mode: await auth.registrationMode() }),
  );

  app.post(
    '/api/v1/auth/verify-email',
    {
      config: { permission: 'public', auth: 'public', rateLimit: 'auth' },
      schema: {
        tags: ['auth'],
        summary: 'Finish a sign-up with the token of its emailed link, and sign in',
        body: VerifyEmailBody,
        response: { 201: TokenResponse, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const session = await auth.verifyEmail(request.body.token, originOf(request));
      setRefreshCookie(reply, session.refreshToken);
      return reply.status(201).send(session);
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: { permission: 'public', auth: 'public', rateLimit: 'auth' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        description:
          'Five attempts a minute per address. Five failures for one email from one address lock that address out of it for 15 minutes (429 with Retry-After), whether or not the account exists; an account with many failures from many addresses takes one attempt a minute. A disabled account answers 403 (to the right password only).',
        body: LoginBody,
        response: { 200: TokenResponse, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const session = await auth.login(request.body, originOf(request));
      setRefreshCookie(reply, session.refreshToken);
      return session;
    },
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      config: { permission: 'public', auth: 'public', rateLimit: 'general' },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token (body or cookie) for new tokens',
        description:
          'Each refresh token works once. Presenting an already used one revokes every token of that sign-in.',
        body: RefreshBody,
        response: { 200: TokenResponse, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const token = request.body?.refreshToken ?? request.cookies[REFRESH_COOKIE];
      const session = await auth.refresh(token, originOf(request));
      setRefreshCookie(reply, session.refreshToken);
      return session;
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { permission: 'public', auth: 'public', rateLimit: 'general' },
      schema: {
        tags: ['auth'],
        summary: 'Sign out: revoke the refresh token (body or cookie)',
        body: RefreshBody,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const token = request.body?.refreshToken ?? request.cookies[REFRESH_COOKIE];
      await auth.logout(token, originOf(request));
      void reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: { permission: 'self', auth: 'session', rateLimit: 'auth' },
      schema: {
        tags: ['auth'],
        summary: 'Change your password; every other sign-in is ended',
        description:
          'The sign-in making the change stays; every other one (refresh and access tokens) stops working at once.',
        body: ChangePasswordBody,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      await auth.changePassword(principalOf(request), request.body, originOf(request));
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      config: { permission: 'self' },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        response: { 200: User, ...errorResponses(400, 401, 429) },
      },
    },
    async (request) => auth.me(principalOf(request)),
  );

  app.post(
    '/api/v1/auth/api-keys',
    {
      config: { permission: 'self', auth: 'session' },
      schema: {
        tags: ['auth'],
        summary: 'Create an API key (the secret is returned once)',
        description:
          'A personal key acts on every business you are a member of. With `businessId`, a business key: it acts on that business only, with your role there, and is listed to the business managers (needs `business.manage` there; 404 for a business you are not a member of).',
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await auth.createApiKey(principalOf(request), request.body, originOf(request))),
  );

  app.get(
    '/api/v1/auth/api-keys',
    {
      config: { permission: 'self', auth: 'session' },
      schema: {
        tags: ['auth'],
        summary: 'List your API keys (never their secrets)',
        querystring: PaginationQuery,
        response: { 200: ApiKeyPage, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => auth.listApiKeys(principalOf(request), request.query),
  );

  app.delete(
    '/api/v1/auth/api-keys/:apiKeyId',
    {
      config: { permission: 'self', auth: 'session' },
      schema: {
        tags: ['auth'],
        summary: 'Revoke an API key',
        params: ApiKeyParams,
        response: { 200: ApiKey, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      auth.revokeApiKey(principalOf(request), request.params.apiKeyId, originOf(request)),
  );

  app.get(
    '/api/v1/businesses/:businessId/api-keys',
    {
      config: { permission: 'business.manage', auth: 'session' },
      schema: {
        tags: ['auth'],
        summary: "The business's API keys, made by any member (never their secrets)",
        params: BusinessKeysParams,
        querystring: PaginationQuery,
        response: { 200: BusinessApiKeyPage, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      auth.listBusinessApiKeys(principalOf(request), request.params.businessId, request.query),
  );

  app.delete(
    '/api/v1/businesses/:businessId/api-keys/:apiKeyId',
    {
      config: { permission: 'business.manage', auth: 'session' },
      schema: {
        tags: ['auth'],
        summary: 'Revoke a business API key, whichever member made it',
        params: BusinessKeyParams,
        response: { 200: ApiKey, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      auth.revokeBusinessApiKey(
        principalOf(request),
        request.params.businessId,
        request.params.apiKeyId,
        originOf(request),
      ),
  );

  app.get(
    '/api/v1/auth/audit-events',
    {
      config: { permission: 'self' },
      schema: {
        tags: ['auth'],
        summary: 'Your security audit trail: sign-ins, key changes, deletions',
        querystring: PaginationQuery,
        response: { 200: AuditEventPage, ...errorResponses(400, 401, 429) },
      },
    },
    async (request) => audit.list(principalOf(request).userId, request.query),
  );
}
