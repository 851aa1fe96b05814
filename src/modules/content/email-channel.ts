// The `email` publish channel: sends a content piece to the addresses its target lists, through
// the same mailer and under the same rules as the sequences. Only subscribers of the business
// with consent `subscribed` and not on its suppression list get it; every other address is
// skipped and the skip recorded on the publish attempt. Each message carries one-click
// unsubscribe (List-Unsubscribe + List-Unsubscribe-Post, RFC 8058) to the /e/u route the
// sequences use, and the mailer DKIM-signs it when a key is configured.
import { type MailAddress, type Mailer, MailServerUnavailable } from '../../platform/mailer.ts';
import type { EmailAudienceLookup } from '../subscribers/index.ts';
import type { Adapter, DeliveryOutcome, RecipientReport } from './adapters.ts';

export interface EmailChannelDeps {
  mailer: Pick<Mailer, 'send'>;
  audience: Pick<EmailAudienceLookup, 'resolve' | 'suppress'>;
  /** The signed one-click unsubscribe URL of a business's subscriber (tracking.ts). */
  unsubscribeUrl(businessId: string, subscriberId: string): string;
  /** EMAIL_FROM, for a business without a default sender. */
  defaultFrom: string;
}

/** SMTP refused the recipient for good (5xx at RCPT TO): the address is suppressed as bounced. */
function isHardBounce(error: unknown): boolean {
  const code = (error as { responseCode?: unknown }).responseCode;
  const command = (error as { command?: unknown }).command;
  return typeof code === 'number' && code >= 500 && code < 600 && command === 'RCPT TO';
}

function subjectOf(payload: Record<string, unknown>, text: string): string {
  return typeof payload.subject === 'string'
    ? payload.subject
    : text.split('\n')[0]?.slice(0, 150) || 'New post';
}

export function createEmailChannel(deps: EmailChannelDeps): Adapter {
  return async (delivery) => {
    const addresses = delivery.target?.recipients ?? [];
    if (addresses.length === 0) return { ok: false, retryable: false, error: 'no recipients' };
    const audience = await deps.audience.resolve(delivery.businessId, addresses);
    if (!audience) return { ok: false, retryable: false, error: 'the business no longer exists' };
    const report: RecipientReport = {
      sent: 0,
      skipped: audience.members
        .filter((member) => member.skip !== null)
        .map((member) => ({ address: member.address, reason: member.skip ?? 'suppressed' })),
    };
    const mailable = audience.members.filter((member) => member.skip === null);
    if (mailable.length === 0) {
      return {
        ok: false,
        retryable: false,
        error: `none of the ${audience.members.length} recipients may be emailed: each must be a subscriber of this business with consent "subscribed" and not suppressed`,
        recipients: report,
      };
    }
    const sender = audience.sender;
    const from: MailAddress | string = sender
      ? { name: sender.name, address: sender.email }
      : deps.defaultFrom;
    const subject = subjectOf(delivery.payload, delivery.text);
    const body = typeof delivery.payload.body === 'string' ? delivery.payload.body : delivery.text;
    try {
      for (const member of mailable) {
        const subscriberId = member.subscriberId ?? '';
        const unsubscribeUrl = deps.unsubscribeUrl(delivery.businessId, subscriberId);
        try {
          // A stable Message-ID per recipient: a retried send is the same message downstream.
          await deps.mailer.send({
            messageId: `${delivery.deliveryId}.${subscriberId}@herald.content`,
            from,
            replyTo: sender?.replyTo,
            to: member.address,
            subject,
            text: `${body}\n\n--\nYou get this email as a subscriber of ${audience.businessName}.\nUnsubscribe: ${unsubscribeUrl}\n`,
            unsubscribe: { url: unsubscribeUrl },
            headers: { 'X-Herald-Content': delivery.contentId },
            owner: delivery.businessId,
          });
          report.sent += 1;
        } catch (error) {
          if (!isHardBounce(error)) throw error;
          await deps.audience.suppress(delivery.businessId, member.address, 'bounced');
          report.skipped.push({ address: member.address, reason: 'bounced' });
        }
      }
    } catch (error) {
      const unavailable = error instanceof MailServerUnavailable;
      const outcome: DeliveryOutcome = {
        ok: false,
        retryable: true,
        // The SMTP breaker refused before anything went out: put off, not an attempt used.
        deferred: unavailable && error.breakerOpen && report.sent === 0,
        error: unavailable ? error.reason : error instanceof Error ? error.message : String(error),
        recipients: report,
      };
      return outcome;
    }
    if (report.sent === 0) {
      return { ok: false, retryable: false, error: 'every recipient bounced', recipients: report };
    }
    return { ok: true, recipients: report };
  };
}
