// Accounts: register, login (with per-account lockout), rotating refresh tokens with theft
// detection, logout, and turning request credentials (JWT or API key) into a principal.
import { randomUUID } from 'node:crypto';

import type { Config } from '../../config.ts';
import type { CacheStore } from '../../platform/cache.ts';
import type { Database } from '../../platform/db/client.ts';
import type { Credentials, Principal, Scope } from '../../platform/http/auth-guard.ts';
import { AppError, conflict, notFound, unauthenticated } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf, type PaginationQuery } from '../../platform/http/pagination.ts';
import type { Logger } from '../../platform/logger.ts';
import type { RateLimiter } from '../../platform/rate-limit.ts';
import type { AuditTrail, RequestOrigin } from './audit.ts';
import {
  type AccessTokens,
  hashForUnknownUser,
  hashPassword,
  passwordProblem,
  randomToken,
  tokenHash,
  verifyPassword,
} from './credentials.ts';
import {
  type ApiKeyRow,
  type AuthRepository,
  createAuthRepository,
  type UserRow,
} from './repository.ts';
import type { ApiKey, LoginBody, RegisterBody, TokenResponse, User } from './schemas.ts';

export interface AuthServiceDeps {
  db: Database;
  cache: CacheStore;
  tokens: AccessTokens;
  limiter: RateLimiter;
  audit: AuditTrail;
  logger: Logger;
  config: Config['auth'];
}

/** What the API-key cache holds: enough to authorise without a database round trip. */
interface CachedApiKey {
  id: string;
  userId: string;
  scopes: Scope[];
  revoked: boolean;
}

const LAST_USED_RESOLUTION_MS = 60_000;
const INVALID_LOGIN = 'Invalid email or password';

export function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, name: row.name, createdAt: row.createdAt.toISOString() };
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes.filter((scope): scope is Scope => scope === 'read' || scope === 'write'),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export function createAuthService(deps: AuthServiceDeps) {
  const { db, cache, tokens, limiter, audit, config } = deps;
  const repository = createAuthRepository(db);
  const lastTouched = new Map<string, number>();

  /** Stores a new refresh token in `familyId` (through `repo`, so inside the caller's transaction). */
  async function issueTokens(
    repo: AuthRepository,
    user: UserRow,
    familyId: string,
  ): Promise<TokenResponse> {
    const refreshToken = randomToken('hrt');
    await repo.insertRefreshToken({
      userId: user.id,
      familyId,
      tokenHash: tokenHash(refreshToken),
      expiresAt: new Date(Date.now() + config.refreshTtlDays * 86_400_000),
    });
    const access = tokens.sign(user.id);
    return {
      accessToken: access.token,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: access.expiresIn,
      user: toUser(user),
    };
  }

  function lockedError(lockedUntil: Date): AppError {
    const seconds = Math.max(1, Math.ceil((lockedUntil.getTime() - Date.now()) / 1000));
    return new AppError('RATE_LIMITED', 'Too many failed logins: this account is locked for now', {
      details: { retryAfterSeconds: seconds },
      headers: { 'retry-after': String(seconds) },
    });
  }

  async function apiKeyPrincipal(key: string): Promise<Principal> {
    const hash = tokenHash(key);
    const cacheKey = `apikey:${hash}`;
    let entry: CachedApiKey | null = null;
    const cached = await cache.get(cacheKey);
    if (cached) {
      entry = JSON.parse(cached) as CachedApiKey;
    } else {
      const row = await repository.findApiKeyByHash(hash);
      if (row) {
        entry = {
          id: row.id,
          userId: row.userId,
          scopes: toApiKey(row).scopes,
          revoked: row.revokedAt !== null,
        };
        if (config.apiKeyCacheTtlSeconds > 0) {
          await cache.set(cacheKey, JSON.stringify(entry), config.apiKeyCacheTtlSeconds * 1000);
        }
      }
    }
    if (!entry || entry.revoked) throw unauthenticated('Invalid or revoked API key');
    const now = Date.now();
    const { id } = entry;
    // last_used_at is kept to the minute, written off the request path.
    if (now - (lastTouched.get(id) ?? 0) > LAST_USED_RESOLUTION_MS) {
      lastTouched.set(id, now);
      repository.touchApiKey(id).catch((error: unknown) => {
        deps.logger.warn({ err: error, apiKeyId: id }, 'could not record API key use');
      });
    }
    return { userId: entry.userId, via: 'api_key', apiKeyId: entry.id, scopes: entry.scopes };
  }

  return {
    async register(body: RegisterBody, origin: RequestOrigin): Promise<TokenResponse> {
      const problem = passwordProblem(body.password, body.email);
      if (problem) {
        throw new AppError('VALIDATION_ERROR', `Password ${problem}`, {
          details: { issues: [{ path: 'body.password', message: problem }] },
        });
      }
      const passwordHash = await hashPassword(body.password);
      const response = await db.transaction(async (tx) => {
        const user = await createAuthRepository(tx).insertUser({
          email: body.email,
          name: body.name,
          passwordHash,
        });
        if (!user) throw conflict('An account with this email already exists');
        return issueTokens(createAuthRepository(tx), user, randomUUID());
      });
      await audit.record({
        action: 'auth.register',
        outcome: 'success',
        userId: response.user.id,
        origin,
      });
      return response;
    },

    async login(body: LoginBody, origin: RequestOrigin): Promise<TokenResponse> {
      await limiter.hit('auth', `account:${body.email}`);
      const user = await repository.findUserByEmail(body.email);
      if (!user) {
        await verifyPassword(await hashForUnknownUser(), body.password);
        await audit.record({
          action: 'auth.login',
          outcome: 'failure',
          userId: null,
          origin,
          details: { reason: 'unknown_email', email: body.email },
        });
        throw unauthenticated(INVALID_LOGIN);
      }
      if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) {
        await audit.record({
          action: 'auth.login',
          outcome: 'failure',
          userId: user.id,
          origin,
          details: { reason: 'locked' },
        });
        throw lockedError(user.lockedUntil);
      }
      if (!(await verifyPassword(user.passwordHash, body.password))) {
        const updated = await repository.recordFailedLogin(
          user.id,
          config.lockoutThreshold,
          config.lockoutMinutes,
        );
        await audit.record({
          action: 'auth.login',
          outcome: 'failure',
          userId: user.id,
          origin,
          details: { reason: 'wrong_password' },
        });
        if (updated?.lockedUntil && updated.lockedUntil.getTime() > Date.now()) {
          await audit.record({
            action: 'auth.locked',
            outcome: 'success',
            userId: user.id,
            origin,
            details: { minutes: config.lockoutMinutes },
          });
          throw lockedError(updated.lockedUntil);
        }
        throw unauthenticated(INVALID_LOGIN);
      }
      await repository.clearFailedLogins(user.id);
      const response = await issueTokens(repository, user, randomUUID());
      await audit.record({ action: 'auth.login', outcome: 'success', userId: user.id, origin });
      return response;
    },

    /**
     * Rotates a refresh token. A token that was already rotated (or revoked) being used again
     * means it was stolen or replayed: the whole family is revoked, so the thief's copy and the
     * owner's current token both stop working.
     */
    async refresh(refreshToken: string | undefined, origin: RequestOrigin): Promise<TokenResponse> {
      if (!refreshToken) throw unauthenticated('Refresh token required');
      const outcome = await db.transaction(async (tx) => {
        const repo = createAuthRepository(tx);
        const row = await repo.findRefreshTokenForUpdate(tokenHash(refreshToken));
        if (!row) return { kind: 'unknown' as const };
        if (row.rotatedAt || row.revokedAt) {
          const revoked = await repo.revokeFamily(row.familyId);
          return {
            kind: 'reused' as const,
            userId: row.userId,
            revoked,
            wasRotated: Boolean(row.rotatedAt),
          };
        }
        if (row.expiresAt.getTime() <= Date.now()) return { kind: 'expired' as const };
        const user = await repo.findUserById(row.userId);
        if (!user) return { kind: 'unknown' as const };
        await repo.markRotated(row.id);
        return { kind: 'rotated' as const, response: await issueTokens(repo, user, row.familyId) };
      });
      switch (outcome.kind) {
        case 'rotated':
          return outcome.response;
        case 'reused':
          if (outcome.wasRotated) {
            await audit.record({
              action: 'auth.refresh_reuse',
              outcome: 'failure',
              userId: outcome.userId,
              origin,
              details: { revokedTokens: outcome.revoked },
            });
          }
          throw unauthenticated('Refresh token is no longer valid');
        default:
          throw unauthenticated('Refresh token is invalid or expired');
      }
    },

    /** Revokes the session the refresh token belongs to. Unknown tokens are not an error. */
    async logout(refreshToken: string | undefined, origin: RequestOrigin): Promise<void> {
      if (!refreshToken) return;
      const revokedFor = await db.transaction(async (tx) => {
        const repo = createAuthRepository(tx);
        const row = await repo.findRefreshTokenForUpdate(tokenHash(refreshToken));
        if (!row) return null;
        await repo.revokeFamily(row.familyId);
        return row.userId;
      });
      if (revokedFor) {
        await audit.record({
          action: 'auth.logout',
          outcome: 'success',
          userId: revokedFor,
          origin,
        });
      }
    },

    async me(principal: Principal): Promise<User> {
      const user = await repository.findUserById(principal.userId);
      if (!user) throw unauthenticated('This account no longer exists');
      return toUser(user);
    },

    async authenticate(credentials: Credentials): Promise<Principal> {
      if (credentials.apiKey) return apiKeyPrincipal(credentials.apiKey);
      if (credentials.bearer) {
        return { userId: tokens.verify(credentials.bearer), via: 'jwt', scopes: ['read', 'write'] };
      }
      throw unauthenticated();
    },

    async createApiKey(
      principal: Principal,
      body: { name: string; scopes: Scope[] },
      origin: RequestOrigin,
    ): Promise<ApiKey & { key: string }> {
      const key = randomToken('hk');
      const row = await repository.insertApiKey({
        userId: principal.userId,
        name: body.name,
        prefix: key.slice(0, 11),
        keyHash: tokenHash(key),
        scopes: body.scopes,
      });
      await audit.record({
        action: 'api_key.created',
        outcome: 'success',
        userId: principal.userId,
        origin,
        details: { apiKeyId: row.id, prefix: row.prefix, scopes: body.scopes },
      });
      return { ...toApiKey(row), key };
    },

    async listApiKeys(principal: Principal, query: PaginationQuery) {
      const rows = await repository.listApiKeys(
        principal.userId,
        query.limit,
        decodeCursor(query.cursor),
      );
      const page = pageOf(rows, query.limit);
      return { items: page.items.map(toApiKey), nextCursor: page.nextCursor };
    },

    async revokeApiKey(
      principal: Principal,
      apiKeyId: string,
      origin: RequestOrigin,
    ): Promise<ApiKey> {
      const row = await repository.revokeApiKey(principal.userId, apiKeyId);
      if (!row) throw notFound('API key');
      await cache.delete(`apikey:${row.keyHash}`);
      await audit.record({
        action: 'api_key.revoked',
        outcome: 'success',
        userId: principal.userId,
        origin,
        details: { apiKeyId: row.id, prefix: row.prefix },
      });
      return toApiKey(row);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
