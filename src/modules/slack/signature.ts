// Slack signs each request it sends (interactions, slash commands): `X-Slack-Signature` is
// v0=HMAC-SHA256(signing secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw body), and a
// timestamp more than five minutes from now is refused so a captured request cannot be replayed.
// The OAuth `state` is signed the same way, binding the install to the business, the user and
// the browser that started it.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const REPLAY_WINDOW_SECONDS = 5 * 60;

export function slackSignature(secret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifySlackRequest(options: {
  secret: string;
  signature: string | undefined;
  timestamp: string | undefined;
  rawBody: string;
  now: Date;
}): SignatureCheck {
  const { signature, timestamp } = options;
  if (!signature || !timestamp) return { ok: false, reason: 'missing Slack signature headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed timestamp' };
  const age = Math.abs(Math.floor(options.now.getTime() / 1000) - Number(timestamp));
  if (age > REPLAY_WINDOW_SECONDS) {
    return { ok: false, reason: 'timestamp outside the five-minute window' };
  }
  const expected = slackSignature(options.secret, timestamp, options.rawBody);
  return sameText(expected, signature) ? { ok: true } : { ok: false, reason: 'bad signature' };
}

export interface InstallState {
  businessId: string;
  userId: string;
  /** Also kept in a cookie of the browser that started the install (login CSRF). */
  nonce: string;
  /** Unix seconds after which the state is refused. */
  expiresAt: number;
}

/** base64url(JSON) + "." + HMAC: what Slack hands back to the callback unchanged. */
export function signState(key: string, state: InstallState): string {
  const body = Buffer.from(JSON.stringify(state)).toString('base64url');
  const mac = createHmac('sha256', key).update(`slack-state:${body}`).digest('base64url');
  return `${body}.${mac}`;
}

export function verifyState(key: string, value: string, now: Date): InstallState | undefined {
  const [body, mac] = value.split('.', 2);
  if (!body || !mac) return undefined;
  const expected = createHmac('sha256', key).update(`slack-state:${body}`).digest('base64url');
  if (!sameText(expected, mac)) return undefined;
  try {
    const state = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as InstallState;
    if (typeof state.businessId !== 'string' || typeof state.userId !== 'string') return undefined;
    if (typeof state.nonce !== 'string') return undefined;
    if (typeof state.expiresAt !== 'number' || state.expiresAt * 1000 < now.getTime()) {
      return undefined;
    }
    return state;
  } catch {
    return undefined;
  }
}
