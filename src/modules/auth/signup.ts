// Sign-up by email when SMTP is configured: register answers the same 202 for a new and an
// existing address, and the difference goes to the mailbox — a link that finishes the sign-up
// for a new address, a "you already have an account" note for an existing one. The link is a
// signed, expiring token that carries the account to create (the password hash encrypted), so
// nothing is stored until the owner of the address clicks it.
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';

import { createSigner, createVerifier } from 'fast-jwt';

import type { Mailer } from '../../platform/mailer.ts';

const SIGNUP_TTL_MS = 24 * 3_600_000;

export interface PendingSignup {
  email: string;
  name: string;
  passwordHash: string;
}

export interface SignupTokens {
  issue(signup: PendingSignup): string;
  /** The sign-up a token carries, or undefined when it is forged, altered or expired. */
  read(token: string): PendingSignup | undefined;
}

/** Keys of their own, derived from the server secret: a sign-up token is never an access token. */
export function createSignupTokens(secret: string): SignupTokens {
  const derive = (purpose: string) => createHash('sha256').update(`${purpose}:${secret}`).digest();
  const signingKey = derive('herald-signup-signing').toString('base64url');
  const encryptionKey = derive('herald-signup-encryption');
  const signer = createSigner({ key: signingKey, algorithm: 'HS256', expiresIn: SIGNUP_TTL_MS });
  const verifier = createVerifier({
    key: signingKey,
    algorithms: ['HS256'],
    requiredClaims: ['exp'],
  });

  function seal(text: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  function open(sealed: string): string {
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  }

  return {
    issue(signup) {
      return signer({
        typ: 'signup',
        email: signup.email,
        name: signup.name,
        ph: seal(signup.passwordHash),
      });
    },
    read(token) {
      try {
        const claims = verifier(token) as Record<string, unknown>;
        const { typ, email, name, ph } = claims;
        if (typ !== 'signup' || typeof email !== 'string' || typeof name !== 'string') {
          return undefined;
        }
        if (typeof ph !== 'string') return undefined;
        return { email, name, passwordHash: open(ph) };
      } catch {
        return undefined;
      }
    },
  };
}

export interface SignupMail {
  mailer: Mailer;
  publicUrl: string;
  messageIdDomain: string;
}

/** The link that finishes a sign-up, opened in the dashboard. */
export function signupEmail(publicUrl: string, token: string) {
  const link = `${publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
  return {
    subject: 'Finish creating your Herald account',
    text: `Someone (we hope you) asked to create a Herald account with this address.\n\nTo finish, open this link within 24 hours:\n${link}\n\nIf it was not you, ignore this email: no account is created without it.\n`,
  };
}

/** What an existing account's owner receives when someone registers their address again. */
export function existingAccountEmail(publicUrl: string) {
  return {
    subject: 'You already have a Herald account',
    text: `Someone (perhaps you) tried to create a Herald account with this address, which already has one.\n\nSign in at ${publicUrl}/login instead. If you forgot your password, ask your Herald administrator.\nIf it was not you, you can ignore this email: nothing was changed.\n`,
  };
}

export function newMessageId(domain: string): string {
  return `<signup-${randomUUID()}@${domain}>`;
}
