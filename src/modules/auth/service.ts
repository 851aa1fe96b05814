// Accounts: register (open, by invitation or closed: REGISTRATION), login (lockout per account
// and client address, see login-guard.ts), password change, rotating refresh tokens with theft
// detection, logout (which also ends the sign-in's access tokens), an administrator disabling an
// account, and API keys (api-keys.ts).
import { randomUUID } from 'node:crypto';

import type { Config } from '../../config.ts';
import type { CacheStore } from '../../platform/cache.ts';
import type { Database } from '../../platform/db/client.ts';
import type { Credentials, Principal } from '../../platform/http/auth-guard.ts';
import {
  AppError,
  conflict,
  forbidden,
  rateLimited,
  unauthenticated,
} from '../../platform/http/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import { type Mailer, messageIdDomainOf } from '../../platform/mailer.ts';
import { FailureLimiter } from '../../platform/rate-limit.ts';
import { createApiKeys, type KeyBusinessCheck } from './api-keys.ts';
import type { AuditTrail, RequestOrigin } from './audit.ts';
import { type AuthenticatorService, createAuthenticator } from './authenticator.ts';
import {
  type AccessTokens,
  createAccessTokens,
  hashForUnknownUser,
  hashPassword,
  passwordProblem,
  randomToken,
  resolveJwtSecret,
  tokenHash,
  verifyPassword,
} from './credentials.ts';
import { createLoginGuard, type LoginGuard } from './login-guard.ts';
import { refuseUnallowedRegistration } from './registration.ts';
import { type AuthRepository, createAuthRepository, type UserRow } from './repository.ts';
import type {
  ChangePasswordBody,
  LoginBody,
  RegisterBody,
  RegistrationMode,
  TokenResponse,
  User,
} from './schemas.ts';
import {
  createSignupTokens,
  existingAccountEmail,
  newMessageId,
  signupEmail,
  type SignupMail,
  type SignupTokens,
} from './signup.ts';

export interface AuthServiceDeps {
  db: Database;
  tokens: AccessTokens;
  /** Set when SMTP is configured: register then confirms by email (signup.ts). */
  signup?: { tokens: SignupTokens; mail: SignupMail } | undefined;
  authenticator: AuthenticatorService;
  /** Whether a principal may manage a business's API keys (implemented by businesses). */
  keyBusinesses: KeyBusinessCheck;
  loginGuard: LoginGuard;
  audit: AuditTrail;
  logger: Logger;
  config: Config['auth'];
}

const INVALID_LOGIN = 'Invalid email or password';
/** One answer for a locked-out (account, address), whether the account exists or not. */
const LOCKED_LOGIN = 'Too many failed sign-ins for this email from your address: try again later';

export type RegisterOutcome = { kind: 'signed_in'; session: TokenResponse } | { kind: 'pending' };

const badSignupLink = () =>
  new AppError('VALIDATION_ERROR', 'This sign-up link has expired or was already used', {
    details: { issues: [{ path: 'body.token', message: 'is expired, already used or not valid' }] },
  });

/** 400 VALIDATION_ERROR naming `field` when `password` is too weak to set. */
async function refuseWeakPassword(password: string, email: string, field: string): Promise<void> {
  const problem = await passwordProblem(password, email);
  if (problem) {
    throw new AppError('VALIDATION_ERROR', `Password ${problem}`, {
      details: { issues: [{ path: field, message: `Password ${problem}` }] },
    });
  }
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    isAdmin: row.isAdmin,
    createdAt: row.createdAt.toISOString(),
  };
}

const DISABLED_ACCOUNT = 'This account is disabled';

export function createAuthService(deps: AuthServiceDeps) {
  const { db, tokens, authenticator, loginGuard, audit, config } = deps;
  const repository = createAuthRepository(db);
  const apiKeys = createApiKeys({ db, authenticator, audit, businesses: deps.keyBusinesses });

  async function forgetKeysOf(userId: string): Promise<void> {
    for (const hash of await repository.apiKeyHashesOf(userId)) {
      await authenticator.forgetApiKey(hash);
    }
  }

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
    const access = tokens.sign(user.id, familyId);
    return {
      accessToken: access.token,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: access.expiresIn,
      user: toUser(user),
    };
  }

  /**
   * Checks a password attempt for `email` from `origin`. Known and unknown accounts take the
   * same path (same lockout counting, same argon2 work, same answers); only the audit differs.
   */
  async function checkPassword(
    email: string,
    password: string,
    origin: RequestOrigin,
  ): Promise<UserRow> {
    const waitSeconds = await loginGuard.waitFor(email, origin.ip);
    const user = await repository.findUserByEmail(email);
    if (waitSeconds !== undefined) {
      await audit.record({
        action: 'auth.login',
        outcome: 'failure',
        userId: user?.id ?? null,
        origin,
        details: { reason: 'locked', ...(user ? {} : { email }) },
      });
      throw rateLimited(waitSeconds, LOCKED_LOGIN);
    }
    const valid = await verifyPassword(
      user?.passwordHash ?? (await hashForUnknownUser()),
      password,
    );
    if (user && valid) return user;
    const lockedFor = await loginGuard.recordFailure(email, origin.ip);
    await audit.record({
      action: 'auth.login',
      outcome: 'failure',
      userId: user?.id ?? null,
      origin,
      details: user ? { reason: 'wrong_password' } : { reason: 'unknown_email', email },
    });
    if (lockedFor !== undefined) {
      if (user) {
        await audit.record({
          action: 'auth.locked',
          outcome: 'success',
          userId: user.id,
          origin,
          details: { seconds: lockedFor },
        });
      }
      throw rateLimited(lockedFor, LOCKED_LOGIN);
    }
    throw unauthenticated(INVALID_LOGIN);
  }

  async function createAccount(
    signup: { email: string; name: string; passwordHash: string },
    origin: RequestOrigin,
  ): Promise<TokenResponse> {
    const response = await db.transaction(async (tx) => {
      const repo = createAuthRepository(tx);
      // One registration at a time, so exactly one can find the instance empty.
      await repo.lockRegistrations();
      const first = !(await repo.hasUsers());
      if (!first) await refuseUnallowedRegistration(repo, config.registration, signup.email);
      const isAdmin = first || signup.email === config.adminEmail;
      const user = await repo.insertUser({ ...signup, isAdmin });
      if (!user) throw conflict('An account with this email already exists');
      return issueTokens(repo, user, randomUUID());
    });
    await audit.record({
      action: 'auth.register',
      outcome: 'success',
      userId: response.user.id,
      origin,
    });
    return response;
  }

  /** Emails a new address its sign-up link, an existing one a note; answers nothing either way. */
  async function startSignup(
    signup: NonNullable<AuthServiceDeps['signup']>,
    pending: { email: string; name: string; passwordHash: string },
    origin: RequestOrigin,
  ): Promise<void> {
    const existing = await repository.findUserByEmail(pending.email);
    const { mailer, publicUrl, messageIdDomain } = signup.mail;
    const content = existing
      ? existingAccountEmail(publicUrl)
      : signupEmail(publicUrl, signup.tokens.issue(pending));
    try {
      await mailer.send({
        messageId: newMessageId(messageIdDomain),
        to: pending.email,
        ...content,
      });
    } catch (error) {
      // The answer must not differ, so a mail failure is logged, not returned.
      deps.logger.error({ err: error }, 'sign-up email not sent');
    }
    await audit.record({
      action: 'auth.register',
      outcome: existing ? 'failure' : 'success',
      userId: existing?.id ?? null,
      origin,
      details: existing
        ? { reason: 'exists_owner_emailed' }
        : { stage: 'confirmation_sent', email: pending.email },
    });
  }

  return {
    /**
     * Without SMTP, creates the account and signs in (an existing address is a 409: with no
     * mailbox to tell the difference to, some answer has to). With SMTP, answers `pending` for
     * any address and emails the difference (signup.ts).
     */
    async register(body: RegisterBody, origin: RequestOrigin): Promise<RegisterOutcome> {
      // Checked again when the account is made (the mode's answer may change meanwhile).
      await refuseUnallowedRegistration(repository, config.registration, body.email);
      await refuseWeakPassword(body.password, body.email, 'body.password');
      const passwordHash = await hashPassword(body.password);
      if (deps.signup) {
        await startSignup(deps.signup, { ...body, passwordHash }, origin);
        return { kind: 'pending' };
      }
      return { kind: 'signed_in', session: await createAccount({ ...body, passwordHash }, origin) };
    },

    /** Finishes a sign-up from its emailed link; a link works once. */
    async verifyEmail(token: string, origin: RequestOrigin): Promise<TokenResponse> {
      const signup = deps.signup?.tokens.read(token);
      if (!signup) throw badSignupLink();
      try {
        return await createAccount(signup, origin);
      } catch (error) {
        if (error instanceof AppError && error.code === 'CONFLICT') throw badSignupLink();
        throw error;
      }
    },

    /** What the sign-up page may offer: the mode, or 'open' while the instance has no account. */
    async registrationMode(): Promise<RegistrationMode> {
      return (await repository.hasUsers()) ? config.registration : 'open';
    },

    async login(body: LoginBody, origin: RequestOrigin): Promise<TokenResponse> {
      let user = await checkPassword(body.email, body.password, origin);
      // Told only to whoever knows the password.
      if (user.disabledAt) {
        await audit.record({
          action: 'auth.login',
          outcome: 'failure',
          userId: user.id,
          origin,
          details: { reason: 'disabled' },
        });
        throw forbidden(DISABLED_ACCOUNT);
      }
      await loginGuard.recordSuccess(body.email, origin.ip);
      if (user.email === config.adminEmail && !user.isAdmin) {
        await repository.makeAdmin(user.id);
        user = { ...user, isAdmin: true };
      }
      const response = await issueTokens(repository, user, randomUUID());
      await audit.record({ action: 'auth.login', outcome: 'success', userId: user.id, origin });
      return response;
    },

    /**
     * Sets a new password (the current one must be given) and ends every other sign-in of the
     * user, their access tokens included; the sign-in that made the change stays.
     */
    async changePassword(
      principal: Principal,
      body: ChangePasswordBody,
      origin: RequestOrigin,
    ): Promise<void> {
      const user = await repository.findUserById(principal.userId);
      if (!user || !principal.sessionId) throw unauthenticated();
      if (!(await verifyPassword(user.passwordHash, body.currentPassword))) {
        throw new AppError('VALIDATION_ERROR', 'The current password is not right', {
          details: {
            issues: [{ path: 'body.currentPassword', message: 'is not your current password' }],
          },
        });
      }
      await refuseWeakPassword(body.newPassword, user.email, 'body.newPassword');
      const passwordHash = await hashPassword(body.newPassword);
      const sessionId = principal.sessionId;
      const revoked = await db.transaction(async (tx) => {
        const repo = createAuthRepository(tx);
        await repo.updatePassword(user.id, passwordHash);
        return repo.revokeOtherSessions(user.id, sessionId);
      });
      await authenticator.revokeSessions(revoked);
      await audit.record({
        action: 'auth.password_changed',
        outcome: 'success',
        userId: user.id,
        origin,
        details: { endedSessions: revoked.length },
      });
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
            familyId: row.familyId,
            revoked,
            wasRotated: Boolean(row.rotatedAt),
          };
        }
        if (row.expiresAt.getTime() <= Date.now()) return { kind: 'expired' as const };
        const user = await repo.findUserById(row.userId);
        if (!user || user.disabledAt) return { kind: 'unknown' as const };
        await repo.markRotated(row.id);
        return { kind: 'rotated' as const, response: await issueTokens(repo, user, row.familyId) };
      });
      switch (outcome.kind) {
        case 'rotated':
          return outcome.response;
        case 'reused':
          await authenticator.revokeSessions([outcome.familyId]);
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
        return row;
      });
      if (revokedFor) {
        await authenticator.revokeSessions([revokedFor.familyId]);
        await audit.record({
          action: 'auth.logout',
          outcome: 'success',
          userId: revokedFor.userId,
          origin,
        });
      }
    },

    async me(principal: Principal): Promise<User> {
      const user = await repository.findUserById(principal.userId);
      if (!user) throw unauthenticated('This account no longer exists');
      return toUser(user);
    },

    authenticate(credentials: Credentials & { ip: string }): Promise<Principal> {
      return authenticator.authenticate(credentials);
    },

    /**
     * An administrator disabled the account: every sign-in ends now (refresh tokens revoked,
     * access tokens refused in every process sharing the cache) and its API keys are refused
     * (the authenticator checks the user; the key cache is cleared so it asks again).
     */
    async endAccessOf(userId: string): Promise<void> {
      const families = await repository.revokeAllSessions(userId);
      await authenticator.revokeSessions(families);
      await forgetKeysOf(userId);
    },

    /** The account was enabled again: its keys are asked about afresh (sign-ins stay ended). */
    async restoreAccessOf(userId: string): Promise<void> {
      await forgetKeysOf(userId);
    },

    ...apiKeys,
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
/** What an administrator's disabling of an account asks of auth. */
export type AccountAccess = Pick<AuthService, 'endAccessOf' | 'restoreAccessOf'>;

/** The auth service with its parts built from the configuration (the runtime's one call). */
export function createAuth(deps: {
  db: Database;
  cache: CacheStore;
  keyBusinesses: KeyBusinessCheck;
  audit: AuditTrail;
  logger: Logger;
  config: Config;
  /** The shared mailer; sign-up by email needs it to be SMTP, not the local outbox. */
  mailer: Mailer;
}): AuthService {
  const { config, mailer } = deps;
  const secret = resolveJwtSecret(config);
  const tokens = createAccessTokens({
    secret,
    previousSecret: config.auth.jwtPreviousSecret,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    ttlSeconds: config.auth.accessTtlSeconds,
  });
  const failures = new FailureLimiter(deps.cache);
  return createAuthService({
    db: deps.db,
    tokens,
    signup:
      mailer.kind === 'smtp' && config.auth.signupConfirmByEmail
        ? {
            tokens: createSignupTokens(secret),
            mail: {
              mailer,
              publicUrl: config.http.publicUrl,
              messageIdDomain: messageIdDomainOf(config.email.from, config.email.dkim?.domainName),
            },
          }
        : undefined,
    authenticator: createAuthenticator({
      db: deps.db,
      cache: deps.cache,
      tokens,
      failures,
      logger: deps.logger,
      config: {
        apiKeyCacheTtlSeconds: config.auth.apiKeyCacheTtlSeconds,
        accessTtlSeconds: config.auth.accessTtlSeconds,
        failedAuthPerMinute: config.rateLimits.failedAuthPerMinute,
      },
    }),
    keyBusinesses: deps.keyBusinesses,
    loginGuard: createLoginGuard(failures, {
      threshold: config.auth.lockoutThreshold,
      minutes: config.auth.lockoutMinutes,
    }),
    audit: deps.audit,
    logger: deps.logger,
    config: config.auth,
  });
}
