// Channel adapters: where a published piece goes. `outbox` keeps it in Herald (the publisher
// writes the publication row in the same transaction, so it needs no adapter); `webhook` POSTs
// signed JSON; `slack` posts to an incoming webhook; `email` sends to subscribers through the
// mailer (email-channel.ts: consent, suppression, one-click unsubscribe).
// Network adapters refuse private, loopback and link-local targets unless configured to allow
// them, checking the address actually connected to (a DNS answer cannot sneak one in).
// Each receiving host has its breaker (`webhook:<host>`, `slack:<host>`): a receiver that keeps
// failing is left alone for a while, and the piece is retried later rather than failed for good.
import { createHmac } from 'node:crypto';

import { type BreakerRegistry, isBreakerRejection } from '../../platform/breaker.ts';
import { isPublicAddress, postJson, RefusedTarget } from '../../platform/http/outbound.ts';
import { createEmailChannel, type EmailChannelDeps } from './email-channel.ts';
import type { ChannelTarget, PublishChannel } from './schemas.ts';

export interface Delivery {
  /** Stable per piece: a receiver that sees it twice knows it is the same publication. */
  deliveryId: string;
  businessId: string;
  contentId: string;
  platform: string;
  text: string;
  payload: Record<string, unknown>;
  target: ChannelTarget | null;
}

/** What the email channel did with each listed address; recorded on the publish attempt. */
export interface RecipientReport {
  sent: number;
  skipped: { address: string; reason: string }[];
}

export type DeliveryOutcome =
  | { ok: true; statusCode?: number | undefined; recipients?: RecipientReport | undefined }
  | {
      ok: false;
      retryable: boolean;
      /** Not tried at all (the target's breaker is open): retried later without using an attempt. */
      deferred?: boolean | undefined;
      error: string;
      statusCode?: number | undefined;
      recipients?: RecipientReport | undefined;
    };

export type Adapter = (delivery: Delivery) => Promise<DeliveryOutcome>;

export interface AdapterOptions {
  allowPrivateTargets: boolean;
  timeoutMs: number;
  /** The email channel's mailer and audience; without them the channel refuses to send. */
  email?: EmailChannelDeps | undefined;
  /** One breaker per receiving host; without it, posts go straight out. */
  breakers?: BreakerRegistry | undefined;
}

export const SIGNATURE_HEADER = 'x-herald-signature';
export const TIMESTAMP_HEADER = 'x-herald-timestamp';
export const DELIVERY_HEADER = 'x-herald-delivery';

/** `sha256=<hex>` of `<timestamp>.<body>`: what a receiver recomputes with the shared secret. */
export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

// The address guard lives in platform/http/outbound.ts (the knowledge base fetches pages too);
// these names stay exported here for the publisher's callers.
export { isPublicAddress, RefusedTarget };

const SETTING = 'PUBLISH_WEBHOOK_ALLOW_PRIVATE';

/** POSTs JSON; resolves with the status, or rejects (refused target, network, timeout). */
export async function postJsonTo(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: AdapterOptions,
): Promise<number> {
  const target = new URL(url);
  // The schema refuses other schemes; a target stored before it did must not be retried.
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw new RefusedTarget(`refused to send to a ${target.protocol} URL: only https:// targets`);
  }
  const answer = await postJson(target, body, {
    timeoutMs: options.timeoutMs,
    allowPrivate: options.allowPrivateTargets,
    allowPrivateSetting: SETTING,
    headers: { 'user-agent': 'Herald-Publisher/1', ...headers },
  });
  return answer.statusCode;
}

function outcomeOfStatus(status: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return { ok: true, statusCode: status };
  return {
    ok: false,
    statusCode: status,
    retryable: status === 408 || status === 429 || status >= 500,
    error: `the receiver answered ${status}`,
  };
}

/** A receiver's answer that says it is in trouble (5xx, 408, 429): a failure for its breaker. */
class ReceiverTrouble extends Error {
  readonly status: number;

  constructor(status: number) {
    super(`the receiver answered ${status}`);
    this.status = status;
  }
}

const isTrouble = (status: number) => status === 408 || status === 429 || status >= 500;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}

function outcomeOfError(error: unknown): DeliveryOutcome {
  if (error instanceof RefusedTarget) return { ok: false, retryable: false, error: error.message };
  return {
    ok: false,
    retryable: true,
    error: error instanceof Error ? error.message : String(error),
  };
}

export function createAdapters(options: AdapterOptions): Record<PublishChannel, Adapter> {
  /** POSTs through the host's breaker; an open breaker is a retryable outcome, not a failure. */
  async function post(
    service: 'webhook' | 'slack',
    url: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<DeliveryOutcome> {
    const host = hostOf(url);
    const breaker = options.breakers?.get(`${service}:${host}`);
    try {
      if (!breaker) return outcomeOfStatus(await postJsonTo(url, body, headers, options));
      const answer = await breaker.execute(async () => {
        try {
          const status = await postJsonTo(url, body, headers, options);
          if (isTrouble(status)) throw new ReceiverTrouble(status);
          return status;
        } catch (error) {
          // Our own refusal (a private address) says nothing about the receiver's health.
          if (error instanceof RefusedTarget) return error;
          throw error;
        }
      });
      if (answer instanceof RefusedTarget) return outcomeOfError(answer);
      return outcomeOfStatus(answer);
    } catch (error) {
      if (error instanceof ReceiverTrouble) return outcomeOfStatus(error.status);
      if (isBreakerRejection(error)) {
        return {
          ok: false,
          retryable: true,
          deferred: true,
          error: `${host} is failing; its circuit breaker is open, so the post waits`,
        };
      }
      return outcomeOfError(error);
    }
  }

  return {
    outbox: () => Promise.resolve({ ok: true }),

    async webhook(delivery) {
      const url = delivery.target?.url;
      if (!url) return { ok: false, retryable: false, error: 'no webhook url' };
      const body = JSON.stringify({
        id: delivery.deliveryId,
        type: 'content.published',
        businessId: delivery.businessId,
        contentId: delivery.contentId,
        platform: delivery.platform,
        text: delivery.text,
        content: delivery.payload,
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = {
        [TIMESTAMP_HEADER]: timestamp,
        [DELIVERY_HEADER]: delivery.deliveryId,
      };
      if (delivery.target?.secret) {
        headers[SIGNATURE_HEADER] = signatureOf(delivery.target.secret, timestamp, body);
      }
      return post('webhook', url, body, headers);
    },

    async slack(delivery) {
      const url = delivery.target?.webhookUrl;
      if (!url) return { ok: false, retryable: false, error: 'no Slack webhook url' };
      return post('slack', url, JSON.stringify({ text: delivery.text }), {});
    },

    email: options.email
      ? createEmailChannel(options.email)
      : () =>
          Promise.resolve({
            ok: false,
            retryable: false,
            error: 'this server has no email sender configured',
          }),
  };
}
