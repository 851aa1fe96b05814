// The secrets of accounts: password hashing (argon2id), the access-token signer/verifier
// (HS256 pinned, issuer and audience checked), and opaque random tokens stored as hashes.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { createSigner, createVerifier } from 'fast-jwt';

import type { Config } from '../../config.ts';
import { unauthenticated } from '../../platform/http/errors.ts';

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

export interface AccessTokens {
  sign(userId: string): { token: string; expiresIn: number };
  /** The user id of a valid access token; anything else is UNAUTHENTICATED. */
  verify(token: string): string;
}

export function createAccessTokens(options: {
  secret: string;
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
  const verifier = createVerifier({
    key: options.secret,
    algorithms: ['HS256'], // pinned: `none` and RS/HS confusion are refused
    allowedIss: options.issuer,
    allowedAud: options.audience,
    requiredClaims: ['sub', 'exp', 'iss', 'aud'],
    cache: 1000, // verified tokens are cached until they expire: auth stays cheap per request
  });
  return {
    sign(userId) {
      return { token: signer({ sub: userId, typ: 'access' }), expiresIn: options.ttlSeconds };
    },
    verify(token) {
      try {
        const payload = verifier(token) as { sub?: unknown; typ?: unknown };
        if (typeof payload.sub !== 'string' || payload.typ !== 'access') throw new Error('claims');
        return payload.sub;
      } catch {
        throw unauthenticated('Invalid or expired access token');
      }
    },
  };
}

const COMMON_PASSWORDS = new Set([
  'password',
  'password1',
  'password123',
  '12345678',
  '123456789',
  '1234567890',
  'qwertyuiop',
  'iloveyou',
  'letmein123',
  'welcome123',
  'admin12345',
]);

/** The minimum strength rule: 10+ characters, not all one kind, not a well-known password. */
export function passwordProblem(password: string, email: string): string | undefined {
  if (password.length < 10) return 'must be at least 10 characters';
  if (password.length > 200) return 'must be at most 200 characters';
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((kind) => kind.test(password));
  if (kinds.length < 2) return 'must mix at least two of: lower case, upper case, digits, symbols';
  if (COMMON_PASSWORDS.has(password.toLowerCase())) return 'is too common';
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 4 && password.toLowerCase().includes(local))
    return 'must not contain your email';
  return undefined;
}
