// The wire side of outgoing webhooks: secrets and signatures as Standard Webhooks defines them
// (https://www.standardwebhooks.com), the check of a target URL when an endpoint is saved, and
// the signed POST itself — through the SSRF guard of platform/http/outbound.ts, so a private,
// loopback or link-local target is refused at delivery too (a DNS answer may change after saving).
import { createHmac, randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  isPublicAddress,
  literalHostRefusal,
  type PostAnswer,
  postJson,
  RefusedTarget,
} from '../../platform/http/outbound.ts';

const SETTING = 'PUBLISH_WEBHOOK_ALLOW_PRIVATE';
const SECRET_PREFIX = 'whsec_';
/** The receiver's answer kept in the delivery log. */
export const EXCERPT_CHARS = 500;
const LOOKUP_TIMEOUT_MS = 3_000;

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function newSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The key bytes of a `whsec_` secret: the base64 after the prefix. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
}

/** `v1,` + base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` with the key bytes. */
export function signatureOf(secret: string, id: string, timestamp: number, body: string): string {
  const digest = createHmac('sha256', secretKey(secret))
    .update(`${id}.${timestamp}.${body}`)
    .digest('base64');
  return `v1,${digest}`;
}

/** The three headers a receiver verifies. */
export function signedHeaders(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureOf(secret, id, timestamp, body),
  };
}

/**
 * Why Herald will not send to `url`, or undefined when it may: https only (http too where private
 * targets are allowed, for development), and no private, loopback or link-local host, literal or
 * resolved. A host that does not resolve now is accepted: the guard at delivery checks again.
 */
export async function targetProblem(
  url: string,
  allowPrivate: boolean,
): Promise<string | undefined> {
  const target = new URL(url);
  if (target.protocol !== 'https:' && !(allowPrivate && target.protocol === 'http:')) {
    return `only https:// targets are allowed (http:// only with ${SETTING})`;
  }
  const refusal = literalHostRefusal(target, allowPrivate, SETTING);
  if (refusal) return refusal.message;
  if (allowPrivate) return undefined;
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // A resolver that does not answer in time is treated as a name that does not resolve.
  const addresses = await Promise.race([
    lookup(host, { all: true }).catch(() => []),
    sleep(LOOKUP_TIMEOUT_MS, []),
  ]);
  const refused = addresses.find((entry) => !isPublicAddress(entry.address));
  if (refused) {
    return `${host} resolves to ${refused.address}: private, loopback and link-local targets are not allowed (${SETTING})`;
  }
  return undefined;
}

export interface SendOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

/** The receiver's answer: its status and the start of its body. */
export type ReceiverAnswer = PostAnswer;

/**
 * POSTs `body` with `headers` through the SSRF guard; resolves with the answer (whatever its
 * status), rejects when none came (RefusedTarget, network error, timeout).
 */
export function postSigned(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: SendOptions,
): Promise<ReceiverAnswer> {
  const target = new URL(url);
  if (target.protocol !== 'https:' && !(options.allowPrivate && target.protocol === 'http:')) {
    return Promise.reject(new RefusedTarget(`refused to send to ${target.protocol} URL`));
  }
  return postJson(target, body, {
    timeoutMs: options.timeoutMs,
    allowPrivate: options.allowPrivate,
    allowPrivateSetting: SETTING,
    headers: { 'user-agent': 'Herald-Webhooks/1', ...headers },
    excerptChars: EXCERPT_CHARS,
  });
}
