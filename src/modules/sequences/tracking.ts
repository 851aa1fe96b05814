// Signed tokens for the links Herald writes into emails: the open pixel, click redirects and
// unsubscribe. A click token carries the destination URL under the signature, so the redirect
// can only go where an email of Herald's pointed (no open redirect), and nothing needs storing
// per link. An unsubscribe token names a sequence delivery (`u`), or — for mail that has no
// delivery row, such as a content piece published to the email channel — a subscriber of a
// business (`s`); both are served by the same /e/u route.
import { createHash, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

import { z } from 'zod';

export const TrackingPayload = z.discriminatedUnion('k', [
  z.object({ k: z.literal('o'), d: z.string() }),
  z.object({ k: z.literal('c'), d: z.string(), u: z.string() }),
  z.object({ k: z.literal('u'), d: z.string() }),
  z.object({ k: z.literal('s'), b: z.string(), s: z.string() }),
  // A broadcast delivery: its open pixel (o), a click (c, with the URL) or unsubscribe (u).
  z.object({
    k: z.literal('b'),
    a: z.enum(['o', 'c', 'u']),
    d: z.string(),
    u: z.string().optional(),
  }),
]);
export type TrackingPayload = z.infer<typeof TrackingPayload>;

export interface TrackingLinks {
  openUrl(deliveryId: string): string;
  clickUrl(deliveryId: string, url: string): string;
  unsubscribeUrl(deliveryId: string): string;
  /** One-click unsubscribe of a business's subscriber, for mail sent outside a sequence. */
  subscriberUnsubscribeUrl(businessId: string, subscriberId: string): string;
  verify(token: string): TrackingPayload | undefined;
  isUnsubscribeUrl(url: string): boolean;
  /** A link of a broadcast delivery, served by /e/b (the broadcasts module). */
  broadcastUrl(action: 'o' | 'c' | 'u', deliveryId: string, url?: string): string;
}

export function createTrackingLinks(options: { secret: string; publicUrl: string }): TrackingLinks {
  // A key of its own, derived from the server secret, so a tracking token is never a JWT key.
  // As a KeyObject: createHmac re-checks a Buffer key on every call, ~6x slower (bench/email.ts).
  const key = createSecretKey(
    createHash('sha256').update(`herald-email-tracking:${options.secret}`).digest(),
  );
  const base = options.publicUrl.replace(/\/$/, '');

  function sign(payload: TrackingPayload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const mac = createHmac('sha256', key).update(body).digest('base64url');
    return `${body}.${mac}`;
  }

  return {
    openUrl: (deliveryId) => `${base}/e/o/${sign({ k: 'o', d: deliveryId })}`,
    clickUrl: (deliveryId, url) => `${base}/e/c/${sign({ k: 'c', d: deliveryId, u: url })}`,
    unsubscribeUrl: (deliveryId) => `${base}/e/u/${sign({ k: 'u', d: deliveryId })}`,
    subscriberUnsubscribeUrl: (businessId, subscriberId) =>
      `${base}/e/u/${sign({ k: 's', b: businessId, s: subscriberId })}`,
    isUnsubscribeUrl: (url) => url.startsWith(`${base}/e/u/`),
    broadcastUrl: (action, deliveryId, url) =>
      `${base}/e/b/${sign(url === undefined ? { k: 'b', a: action, d: deliveryId } : { k: 'b', a: action, d: deliveryId, u: url })}`,
    verify(token) {
      const [body, mac] = token.split('.');
      if (!body || !mac) return undefined;
      const expected = createHmac('sha256', key).update(body).digest();
      const given = Buffer.from(mac, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      try {
        const parsed = TrackingPayload.safeParse(
          JSON.parse(Buffer.from(body, 'base64url').toString('utf8')),
        );
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
