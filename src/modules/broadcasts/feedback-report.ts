// What a mailbox provider or a relay tells Herald about mail it sent, after the fact: a spam
// complaint (an ARF feedback report, RFC 5965) or a bounce (a DSN, RFC 3464), as raw MIME, or
// the same facts as a relay webhook's JSON. This reads only what Herald acts on: the report
// part's Feedback-Type or Action/Status, and the original message's Message-ID. mailparser is a
// test-only dependency, and a report needs none of its decoding of bodies and attachments.
import { createHash } from 'node:crypto';

import { z } from 'zod';

export type FeedbackReport =
  | { type: 'complaint'; messageId: string; email?: string; occurredAt?: Date; detail: string }
  | {
      type: 'bounce';
      bounceType: 'hard' | 'soft';
      messageId: string;
      email?: string;
      occurredAt?: Date;
      detail: string;
    };

/** A report Herald cannot read: `path` names the part or field, for the 400's details. */
export class FeedbackReportError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

/** The same report sent twice has the same fingerprint (it keys a soft bounce's event). */
export const fingerprintOf = (raw: string): string =>
  createHash('sha256').update(raw.replace(/\r\n/g, '\n').trim()).digest('hex').slice(0, 16);

interface Part {
  headers: Map<string, string[]>;
  body: string;
}

/** Header fields (unfolded, names lower-cased) and the body after the first empty line. */
export function parseEntity(text: string): Part {
  const normalised = text.replace(/\r\n/g, '\n');
  const end = normalised.search(/\n\n|^\n/);
  const head = end === -1 ? normalised : normalised.slice(0, end);
  const body = end === -1 ? '' : normalised.slice(end).replace(/^\n\n?/, '');
  return { headers: parseFields(head), body };
}

/** `Name: value` lines, continuation lines (starting with white space) joined to the previous. */
export function parseFields(block: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const unfolded = block.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  for (const line of unfolded.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[!-9;-~]+$/.test(name)) continue;
    fields.set(name, [...(fields.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return fields;
}

const first = (fields: Map<string, string[]>, name: string) => fields.get(name)?.[0];

/** `type/subtype; a=b; c="d"` → the lower-cased type and its parameters. */
export function parseContentType(value: string | undefined): {
  type: string;
  params: Map<string, string>;
} {
  const [type = '', ...rest] = (value ?? 'text/plain').split(';');
  const params = new Map<string, string>();
  for (const param of rest) {
    const equals = param.indexOf('=');
    if (equals === -1) continue;
    const raw = param.slice(equals + 1).trim();
    params.set(
      param.slice(0, equals).trim().toLowerCase(),
      raw.startsWith('"')
        ? raw.slice(1, raw.lastIndexOf('"') > 0 ? raw.lastIndexOf('"') : undefined)
        : raw,
    );
  }
  return { type: type.trim().toLowerCase(), params };
}

function decodeBody(part: Part): string {
  const encoding = (first(part.headers, 'content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64')
    return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = part.body
      .replace(/=\n/g, '')
      .replace(/=([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return part.body;
}

/** The parts of a multipart body, between `--boundary` lines, up to `--boundary--`. */
export function splitMultipart(body: string, boundary: string): Part[] {
  const lines = body.replace(/\r\n/g, '\n').split('\n');
  const parts: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === `--${boundary}--`) break;
    if (trimmed === `--${boundary}`) {
      current = [];
      parts.push(current);
      continue;
    }
    current?.push(line);
  }
  return parts.map((part) => {
    const entity = parseEntity(part.join('\n'));
    return { headers: entity.headers, body: decodeBody(entity) };
  });
}

function normaliseMessageId(value: string | undefined): string | undefined {
  const match = /<[^<>\s]+>/.exec(value ?? '')?.[0] ?? (value ? `<${value.trim()}>` : undefined);
  return match && /^<[^<>\s@]+@[^<>\s@]+>$/.test(match) ? match : undefined;
}

function dateOf(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `rfc822; someone@example.com` → the address. */
const addressOf = (value: string | undefined) =>
  value
    ?.replace(/^[^;]*;/, '')
    .trim()
    .replace(/^<|>$/g, '') || undefined;

const COMPLAINT_TYPES = new Set(['abuse', 'fraud', 'virus', 'other']);

/** The original message's Message-ID, from its message/rfc822 or text/rfc822-headers part. */
function originalMessageId(parts: Part[]): string {
  const original = parts.find((part) =>
    ['message/rfc822', 'text/rfc822-headers'].includes(
      parseContentType(first(part.headers, 'content-type')).type,
    ),
  );
  if (!original) {
    throw new FeedbackReportError(
      'original',
      'The report has no message/rfc822 or text/rfc822-headers part (the original message)',
    );
  }
  const headers = parseEntity(original.body).headers;
  const messageId = normaliseMessageId(first(headers, 'message-id'));
  if (!messageId) {
    throw new FeedbackReportError('original.Message-ID', 'The original message has no Message-ID');
  }
  return messageId;
}

/**
 * A raw report: `message` is the whole message (headers and body), or only its body when the
 * caller passes the multipart/report content type it arrived with (a webhook's HTTP header).
 */
export function parseRawReport(message: string, contentType?: string): FeedbackReport {
  const entity =
    contentType && parseContentType(contentType).type === 'multipart/report'
      ? { headers: new Map([['content-type', [contentType]]]), body: message }
      : parseEntity(message);
  const { type, params } = parseContentType(first(entity.headers, 'content-type'));
  if (type !== 'multipart/report') {
    throw new FeedbackReportError(
      'Content-Type',
      `Expected a multipart/report (an ARF feedback report or a DSN), got ${type || 'none'}`,
    );
  }
  const boundary = params.get('boundary');
  if (!boundary)
    throw new FeedbackReportError('Content-Type', 'The multipart/report has no boundary');
  const parts = splitMultipart(entity.body, boundary);
  const partOf = (wanted: string) =>
    parts.find((part) => parseContentType(first(part.headers, 'content-type')).type === wanted);
  const reportType = params.get('report-type')?.toLowerCase();

  if (reportType === 'feedback-report') {
    const report = partOf('message/feedback-report');
    if (!report)
      throw new FeedbackReportError('feedback-report', 'No message/feedback-report part');
    const fields = parseFields(report.body);
    const feedbackType = first(fields, 'feedback-type')?.toLowerCase();
    if (!feedbackType)
      throw new FeedbackReportError('Feedback-Type', 'The report has no Feedback-Type');
    if (!COMPLAINT_TYPES.has(feedbackType)) {
      throw new FeedbackReportError(
        'Feedback-Type',
        `Feedback-Type ${feedbackType} is not a complaint (abuse, fraud, virus or other)`,
      );
    }
    const email = addressOf(first(fields, 'original-rcpt-to'));
    const occurredAt = dateOf(first(fields, 'arrival-date') ?? first(fields, 'received-date'));
    return {
      type: 'complaint',
      messageId: originalMessageId(parts),
      ...(email ? { email } : {}),
      ...(occurredAt ? { occurredAt } : {}),
      detail: feedbackType,
    };
  }

  if (reportType === 'delivery-status') {
    const status = partOf('message/delivery-status') ?? partOf('message/global-delivery-status');
    if (!status)
      throw new FeedbackReportError('delivery-status', 'No message/delivery-status part');
    // Per-message fields, then one block per recipient, separated by empty lines.
    const [perMessage, ...recipients] = status.body
      .replace(/\r\n/g, '\n')
      .split(/\n[ \t]*\n/)
      .map(parseFields);
    const failed = recipients.find((fields) =>
      ['failed', 'delayed'].includes(first(fields, 'action')?.toLowerCase() ?? ''),
    );
    if (!failed) {
      throw new FeedbackReportError('Action', 'The DSN reports no failed or delayed recipient');
    }
    const action = first(failed, 'action')?.toLowerCase();
    const code = /^([245])\.\d{1,3}\.\d{1,3}/.exec(first(failed, 'status') ?? '');
    if (!code)
      throw new FeedbackReportError('Status', 'The failed recipient has no Status (x.y.z)');
    const email = addressOf(
      first(failed, 'final-recipient') ?? first(failed, 'original-recipient'),
    );
    const occurredAt = dateOf(perMessage ? first(perMessage, 'arrival-date') : undefined);
    const diagnostic = first(failed, 'diagnostic-code');
    return {
      type: 'bounce',
      // A delayed message may still arrive; only a permanent failure (5.x.x) is hard.
      bounceType: action === 'failed' && code[1] === '5' ? 'hard' : 'soft',
      messageId: originalMessageId(parts),
      ...(email ? { email } : {}),
      ...(occurredAt ? { occurredAt } : {}),
      detail: [code[0], diagnostic].filter(Boolean).join(' ').slice(0, 500),
    };
  }

  throw new FeedbackReportError(
    'Content-Type',
    `report-type must be feedback-report or delivery-status, got ${reportType ?? 'none'}`,
  );
}

/** A relay webhook's notification. */
export const FeedbackNotification = z
  .object({
    type: z.enum(['complaint', 'bounce']),
    messageId: z
      .string()
      .min(3)
      .max(998)
      .describe('The Message-ID Herald sent, with or without <>'),
    bounceType: z.enum(['hard', 'soft']).optional().describe('Required for a bounce'),
    email: z.email().optional().describe('The recipient, when the relay knows it'),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
    detail: z.string().max(500).optional().describe("The relay's reason, e.g. an SMTP reply"),
  })
  .meta({ id: 'EmailFeedbackNotification' });
export type FeedbackNotification = z.infer<typeof FeedbackNotification>;

export function reportOfNotification(notification: FeedbackNotification): FeedbackReport {
  const messageId = normaliseMessageId(notification.messageId);
  if (!messageId) throw new FeedbackReportError('messageId', 'Not a Message-ID (local@domain)');
  const common = {
    messageId,
    ...(notification.email ? { email: notification.email } : {}),
    ...(notification.occurredAt ? { occurredAt: new Date(notification.occurredAt) } : {}),
  };
  if (notification.type === 'complaint') {
    return { type: 'complaint', ...common, detail: notification.detail ?? 'abuse' };
  }
  if (!notification.bounceType) {
    throw new FeedbackReportError('bounceType', 'A bounce needs bounceType: hard or soft');
  }
  return {
    type: 'bounce',
    bounceType: notification.bounceType,
    ...common,
    detail: notification.detail ?? '',
  };
}
