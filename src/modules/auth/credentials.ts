// The secrets of accounts: password hashing (argon2id), the access-token signer/verifier
// (HS256 pinned, issuer and audience checked), and opaque random tokens stored as hashes.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { createSigner, createVerifier } from 'fast-jwt';

import type { Config } from '../../config.ts';
import { AppError, unauthenticated } from '../../platform/http/errors.ts';

/** Uses JWT_SECRET, else a secret generated on first start and kept in DATA_DIR. */
export function resolveJwtSecret(config: Config): string {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
  const file = path.join(config.dataDir, 'secrets', 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}

export function hashPassword(password: string): Promise<string> {
  return argonHash(password); // argon2id with the library's current recommended parameters
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return argonVerify(passwordHash, password).catch(() => false);
}

let unknownUserHash: Promise<string> | undefined;
/** A hash to verify against when the email is unknown, so both paths take as long. */
export function hashForUnknownUser(): Promise<string> {
  unknownUserHash ??= hashPassword(randomBytes(16).toString('hex'));
  return unknownUserHash;
}

/** A random token with a readable prefix, e.g. `hrt_…` (refresh) or `hk_…` (API key). */
export function randomToken(prefix: string, bytes = 32): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

/** Tokens with 256 bits of entropy need no slow hash: SHA-256 is enough and fast to look up. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** What a valid access token says: whose it is and which sign-in (refresh-token family) made it. */
export interface AccessClaims {
  userId: string;
  sessionId: string;
}

export interface AccessTokens {
  sign(userId: string, sessionId: string): { token: string; expiresIn: number };
  /** The claims of a valid access token; anything else is UNAUTHENTICATED. */
  verify(token: string): AccessClaims;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Signs with `secret`; verifies with `secret`, then with `previousSecret` when one is set, so
 * JWT_SECRET can be rotated without signing everybody out (JWT_PREVIOUS_SECRET is kept for one
 * access-token lifetime, then removed).
 */
export function createAccessTokens(options: {
  secret: string;
  previousSecret?: string | undefined;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}): AccessTokens {
  const signer = createSigner({
    key: options.secret,
    algorithm: 'HS256',
    iss: options.issuer,
    aud: options.audience,
    expiresIn: options.ttlSeconds * 1000,
  });
  const verifierFor = (key: string) =>
    createVerifier({
      key,
      algorithms: ['HS256'], // pinned: `none` and RS/HS confusion are refused
      allowedIss: options.issuer,
      allowedAud: options.audience,
      requiredClaims: ['sub', 'sid', 'exp', 'iss', 'aud'],
      cache: 1000, // verified tokens are cached until they expire: auth stays cheap per request
    });
  const verifiers = [options.secret, options.previousSecret]
    .filter((key): key is string => Boolean(key))
    .map(verifierFor);
  function decode(token: string): Record<string, unknown> {
    let expired = false;
    for (const verifier of verifiers) {
      try {
        return verifier(token) as Record<string, unknown>;
      } catch (error) {
        // the next key, if any
        expired ||= (error as { code?: unknown }).code === 'FAST_JWT_EXPIRED';
      }
    }
    // An expired token is an ordinary client's (refresh it), not a guess: it is told apart so
    // the failed-authentication limit does not count it.
    if (expired) throw endedAccess('Access token expired: refresh it', 'expired');
    throw unauthenticated('Invalid or expired access token');
  }
  return {
    sign(userId, sessionId) {
      return {
        token: signer({ sub: userId, sid: sessionId, typ: 'access' }),
        expiresIn: options.ttlSeconds,
      };
    },
    verify(token) {
      const payload = decode(token);
      // A well-signed token with a subject that is not one of our ids is still not a user.
      if (
        payload.typ !== 'access' ||
        typeof payload.sub !== 'string' ||
        typeof payload.sid !== 'string' ||
        !UUID.test(payload.sub) ||
        !UUID.test(payload.sid)
      ) {
        throw unauthenticated('Invalid or expired access token');
      }
      return { userId: payload.sub.toLowerCase(), sessionId: payload.sid.toLowerCase() };
    },
  };
}

/**
 * A 401 for an access token that was valid and has ended (expired, or its sign-in signed out):
 * what a well-behaved client meets every day, so it does not count as a failed attempt.
 */
export function endedAccess(message: string, reason: 'expired' | 'signed_out'): AppError {
  return new AppError('UNAUTHENTICATED', message, { details: { reason } });
}

export function isEndedAccess(error: unknown): boolean {
  return (
    error instanceof AppError &&
    error.code === 'UNAUTHENTICATED' &&
    (error.details.reason === 'expired' || error.details.reason === 'signed_out')
  );
}

let commonPasswords: Promise<Set<string>> | undefined;
/**
 * zxcvbn's list of ~49,000 common passwords, loaded at the first password set rather than at
 * start-up (importing it costs ~19 MB of RSS, which a server that never registers anyone keeps).
 */
function loadCommonPasswords(): Promise<Set<string>> {
  commonPasswords ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set(dictionary['passwords-common']),
  );
  return commonPasswords;
}

const MIN_DISTINCT_CHARACTERS = 5;

/**
 * Why `password` is too weak to set, or undefined when it is fine: 10 to 200 characters, two
 * kinds of character, at least five different characters with none making up half of it, not a
 * common password (also once trailing digits and symbols are taken off, as in `Password123!`),
 * and not containing the email's name.
 */
export async function passwordProblem(
  password: string,
  email: string,
): Promise<string | undefined> {
  if (password.length < 10) return 'must be at least 10 characters';
  if (password.length > 200) return 'must be at most 200 characters';
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((kind) => kind.test(password));
  if (kinds.length < 2) return 'must mix at least two of: lower case, upper case, digits, symbols';
  const lower = password.toLowerCase();
  const counts = new Map<string, number>();
  let length = 0; // in code points, as the counts are
  for (const character of lower) {
    counts.set(character, (counts.get(character) ?? 0) + 1);
    length += 1;
  }
  if (counts.size < MIN_DISTINCT_CHARACTERS) {
    return `must use at least ${MIN_DISTINCT_CHARACTERS} different characters`;
  }
  if (Math.max(...counts.values()) * 2 > length) {
    return 'must not repeat one character for half its length';
  }
  const common = await loadCommonPasswords();
  const stem = lower.replace(/[^a-z]+$/, '');
  if (common.has(lower) || (stem.length >= 4 && common.has(stem))) {
    return 'is one of the most common passwords: choose one that is harder to guess';
  }
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 4 && lower.includes(local)) return 'must not contain your email';
  return undefined;
}
