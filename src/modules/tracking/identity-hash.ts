// How the tracking suppression list names an identity without holding it: a SHA-256 of
// `<kind>:<value>` (emails lower-cased first). Ingestion hashes each event's identities and
// drops the event when one is listed; a privacy deletion lists the person's identities.
import { createHash } from 'node:crypto';

export type IdentityKind = 'userId' | 'anonymousId' | 'email';

export function identityHash(kind: IdentityKind, value: string): string {
  const normalised = kind === 'email' ? value.trim().toLowerCase() : value;
  return createHash('sha256').update(`${kind}:${normalised}`).digest('hex');
}
