// Outgoing email, one interface for every module that sends: nodemailer's pooled SMTP transport
// when SMTP_URL is set, otherwise a local outbox of real MIME messages written to
// DATA_DIR/outbox (and shown in the dashboard). The caller passes a stable Message-ID, so a
// retried send is recognisable as the same message downstream (and overwrites itself in the
// outbox). With a DKIM key configured every message is signed, List-Unsubscribe and
// List-Unsubscribe-Post included: nodemailer's default header list leaves the second out, and
// mailbox providers only honour one-click unsubscribe when both are signed (RFC 8058 §4).
// SMTP sends go through the breaker `smtp:<host:port>`; a server that cannot be reached (or
// whose breaker is open) throws MailServerUnavailable, which senders treat as "try later".
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { SendMailOptions } from 'nodemailer/lib/mailer';

import { type BreakerRegistry, isBreakerRejection } from './breaker.ts';
import { AppError } from './http/errors.ts';

export interface DkimConfig {
  domainName: string;
  keySelector: string;
  /** PEM text of the private key. */
  privateKey: string;
}

export interface MailerConfig {
  smtpUrl: string | undefined;
  /** Default From when a message names none. */
  from: string;
  dkim: DkimConfig | undefined;
  /** Pooled SMTP connections. */
  poolSize: number;
  /** Where the outbox lives when there is no SMTP server (DATA_DIR/outbox). */
  outboxDir: string;
  /** Where the SMTP server's breaker (`smtp:<host:port>`) comes from; none: sends go straight out. */
  breakers?: BreakerRegistry | undefined;
}

export interface MailAddress {
  name?: string | undefined;
  address: string;
}

export interface OutgoingEmail {
  /** Stable per logical message, with or without angle brackets: `<id@domain>`. */
  messageId: string;
  from?: MailAddress | string | undefined;
  replyTo?: MailAddress | string | undefined;
  to: MailAddress | string;
  subject: string;
  html?: string | undefined;
  text?: string | undefined;
  /** RFC 8058 one-click unsubscribe: adds List-Unsubscribe (+ mailto) and List-Unsubscribe-Post. */
  unsubscribe?: { url: string; mailto?: string | undefined } | undefined;
  headers?: Record<string, string> | undefined;
  /** Filed under this owner in the outbox (a business id); not sent anywhere. */
  owner?: string | undefined;
}

export interface SendResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
  /** SMTP server response, or the outbox file id. */
  response: string;
}

/** One message kept in the outbox. */
export interface OutboxEntry {
  id: string;
  owner: string;
  messageId: string;
  from: string;
  to: string;
  subject: string;
  createdAt: string;
  sizeBytes: number;
}

export interface Outbox {
  /**
   * Newest first, ties broken by id; `after` is the last entry of the previous page (entries
   * written in the same millisecond share a `createdAt`, so the time alone is not a position).
   */
  list(
    owner: string,
    options?: { limit?: number; after?: { createdAt: string; id: string } },
  ): Promise<OutboxEntry[]>;
  /** The entry and its raw MIME text, or undefined. */
  read(owner: string, id: string): Promise<{ entry: OutboxEntry; raw: string } | undefined>;
}

export interface Mailer {
  kind: 'smtp' | 'outbox';
  send(email: OutgoingEmail): Promise<SendResult>;
  /** False while the SMTP server's breaker refuses sends (dispatchers claim nothing new). */
  available?(): boolean;
  /** Present when messages go to the local outbox. */
  outbox: Outbox | undefined;
  close(): Promise<void>;
}

/**
 * The mail server could not be reached, refused the session (421, authentication) or its
 * breaker is open: nothing was sent, and the same message can be sent later. A request that
 * sends mail (a test send) answers 503 UPSTREAM_UNAVAILABLE; dispatchers defer the delivery.
 */
export class MailServerUnavailable extends AppError {
  /** True when the breaker refused the send without trying the server. */
  readonly breakerOpen: boolean;
  /** What happened, for the delivery's record and the logs (the API answer stays generic). */
  readonly reason: string;

  constructor(host: string, breakerOpen: boolean, cause: unknown) {
    super('UPSTREAM_UNAVAILABLE', 'The mail server is unavailable; try again later', { cause });
    this.name = 'MailServerUnavailable';
    this.breakerOpen = breakerOpen;
    const detail = cause instanceof Error ? cause.message : String(cause);
    this.reason = breakerOpen
      ? `mail server ${host} unavailable: its circuit breaker is open`
      : `mail server ${host} unavailable: ${detail}`;
  }
}

/** nodemailer's codes for a session that never got as far as the message (network, TLS, auth). */
const SESSION_FAILURES = new Set([
  'ECONNECTION',
  'ESOCKET',
  'ETIMEDOUT',
  'EDNS',
  'ETLS',
  'EAUTH',
  'EPROTOCOL',
  'ECONNREFUSED',
  'ECONNRESET',
]);

/**
 * The server's health, not the message's: it could not be reached or turned the session away.
 * A refused recipient or message (a 4xx/5xx answer to RCPT or DATA) is about that message.
 */
function isServerFailure(error: unknown): boolean {
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  if (responseCode === 421) return true;
  return typeof code === 'string' && SESSION_FAILURES.has(code);
}

/** Header fields covered by the DKIM signature (nodemailer's list + List-Unsubscribe-Post). */
export const DKIM_SIGNED_HEADERS = [
  'From',
  'Sender',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'To',
  'Cc',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'In-Reply-To',
  'References',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
].join(':');

/** `<id@domain>` whatever the caller passed. */
export function normaliseMessageId(messageId: string): string {
  const bare = messageId.trim().replace(/^<|>$/g, '');
  return `<${bare}>`;
}

/** The domain Message-IDs are minted under: the DKIM domain, else the From address's domain. */
export function messageIdDomainOf(from: string, dkimDomain?: string): string {
  if (dkimDomain) return dkimDomain;
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'herald.local';
}

/** Reads a DKIM key given as PEM text (`\n` escapes allowed) or as a path to a PEM file. */
export function readDkimKey(value: string): string {
  if (value.includes('-----BEGIN')) return value.replaceAll('\\n', '\n');
  if (!existsSync(value)) throw new Error(`DKIM private key file not found: ${value}`);
  return readFileSync(value, 'utf8');
}

/**
 * What nodemailer is given for an address: `{ name, address }` objects, so nodemailer's own
 * address formatting quotes, escapes and encodes the display name (a name ending in a backslash,
 * holding quotes, commas, angle brackets or non-ASCII letters). A string is a full address that
 * nodemailer parses (EMAIL_FROM); a display name is never concatenated into a header here.
 */
function toNodemailerAddress(
  address: MailAddress | string,
): string | { name: string; address: string } {
  if (typeof address === 'string') return address;
  return address.name ? { name: address.name, address: address.address } : address.address;
}

/** A readable form for the outbox listing (not a header): the name as an RFC 5322 quoted string. */
function displayAddress(address: MailAddress | string | undefined): string {
  if (address === undefined) return '';
  if (typeof address === 'string') return address;
  return address.name
    ? `"${address.name.replace(/["\\]/g, '\\$&')}" <${address.address}>`
    : address.address;
}

function composeOptions(email: OutgoingEmail, defaultFrom: string): SendMailOptions {
  const headers: Record<string, string> = { ...email.headers };
  if (email.unsubscribe) {
    const targets = [`<${email.unsubscribe.url}>`];
    if (email.unsubscribe.mailto) targets.push(`<mailto:${email.unsubscribe.mailto}>`);
    headers['List-Unsubscribe'] = targets.join(', ');
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return {
    messageId: normaliseMessageId(email.messageId),
    from: toNodemailerAddress(email.from ?? defaultFrom),
    ...(email.replyTo ? { replyTo: toNodemailerAddress(email.replyTo) } : {}),
    to: toNodemailerAddress(email.to),
    subject: email.subject,
    ...(email.html !== undefined ? { html: email.html } : {}),
    ...(email.text !== undefined ? { text: email.text } : {}),
    headers,
  };
}

function dkimOptions(dkim: DkimConfig | undefined) {
  return dkim
    ? {
        dkim: {
          domainName: dkim.domainName,
          keySelector: dkim.keySelector,
          privateKey: dkim.privateKey,
          headerFieldNames: DKIM_SIGNED_HEADERS,
        },
      }
    : {};
}

const SAFE_OWNER = /^[A-Za-z0-9_-]{1,64}$/;
const SAFE_ID = /^[a-f0-9]{32}$/;

function outboxFileId(messageId: string): string {
  return createHash('sha256').update(normaliseMessageId(messageId)).digest('hex').slice(0, 32);
}

/** The outbox on disk: `<dir>/<owner>/<id>.eml` with a `<id>.json` entry beside it. */
export function createOutbox(dir: string): Outbox & {
  write(
    owner: string,
    messageId: string,
    raw: Buffer,
    meta: Omit<OutboxEntry, 'id' | 'owner' | 'createdAt' | 'sizeBytes' | 'messageId'>,
  ): Promise<OutboxEntry>;
} {
  const ownerDir = (owner: string) => {
    if (!SAFE_OWNER.test(owner)) throw new Error('invalid outbox owner');
    return path.join(dir, owner);
  };
  return {
    async write(owner, messageId, raw, meta) {
      const folder = ownerDir(owner);
      await mkdir(folder, { recursive: true });
      const id = outboxFileId(messageId);
      const metaFile = path.join(folder, `${id}.json`);
      // A retried send of the same Message-ID replaces the file: the outbox, like a mailbox
      // that dedups on Message-ID, shows it once. The first createdAt is kept.
      let createdAt = new Date().toISOString();
      try {
        const previous = JSON.parse(await readFile(metaFile, 'utf8')) as OutboxEntry;
        createdAt = previous.createdAt;
      } catch {
        // first write
      }
      const entry: OutboxEntry = {
        id,
        owner,
        messageId: normaliseMessageId(messageId),
        ...meta,
        createdAt,
        sizeBytes: raw.length,
      };
      // Write to temporary names and rename, so a reader never sees half a message.
      const emlFile = path.join(folder, `${id}.eml`);
      await writeFile(`${emlFile}.tmp`, raw);
      await rename(`${emlFile}.tmp`, emlFile);
      await writeFile(`${metaFile}.tmp`, JSON.stringify(entry));
      await rename(`${metaFile}.tmp`, metaFile);
      return entry;
    },
    async list(owner, options = {}) {
      const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
      let names: string[];
      try {
        names = await readdir(ownerDir(owner));
      } catch {
        return [];
      }
      const entries: OutboxEntry[] = [];
      for (const name of names) {
        if (!name.endsWith('.json')) continue;
        try {
          entries.push(
            JSON.parse(await readFile(path.join(ownerDir(owner), name), 'utf8')) as OutboxEntry,
          );
        } catch {
          // being written right now
        }
      }
      entries.sort((a, b) =>
        a.createdAt === b.createdAt
          ? b.id.localeCompare(a.id)
          : b.createdAt.localeCompare(a.createdAt),
      );
      const after = options.after;
      const rest = after
        ? entries.filter(
            (entry) =>
              entry.createdAt < after.createdAt ||
              (entry.createdAt === after.createdAt && entry.id < after.id),
          )
        : entries;
      return rest.slice(0, limit);
    },
    async read(owner, id) {
      if (!SAFE_ID.test(id)) return undefined;
      try {
        const folder = ownerDir(owner);
        const entry = JSON.parse(
          await readFile(path.join(folder, `${id}.json`), 'utf8'),
        ) as OutboxEntry;
        const raw = await readFile(path.join(folder, `${id}.eml`), 'utf8');
        return { entry, raw };
      } catch {
        return undefined;
      }
    },
  };
}

// nodemailer is imported at the first send rather than at start-up, where an idle server does
// not need it (start-up memory).
const loadNodemailer = () => import('nodemailer');

export function createMailer(config: MailerConfig): Mailer {
  if (config.smtpUrl) {
    const url = new URL(config.smtpUrl);
    // One breaker per mail server (host and port).
    const breaker = config.breakers?.get(`smtp:${url.host}`);
    const openTransport = async () =>
      (await loadNodemailer()).createTransport({
        pool: true,
        host: url.hostname,
        port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
        secure: url.protocol === 'smtps:',
        ...(url.username
          ? {
              auth: {
                user: decodeURIComponent(url.username),
                pass: decodeURIComponent(url.password),
              },
            }
          : {}),
        // `?tls=insecure` for a local relay with a self-signed certificate.
        ...(url.searchParams.get('tls') === 'insecure'
          ? { tls: { rejectUnauthorized: false } }
          : {}),
        ...(url.searchParams.get('ignoreTLS') === 'true' ? { ignoreTLS: true } : {}),
        maxConnections: config.poolSize,
        maxMessages: Infinity,
        ...dkimOptions(config.dkim),
      });
    let transport: ReturnType<typeof openTransport> | undefined;
    return {
      kind: 'smtp',
      outbox: undefined,
      available: () => !breaker?.refusing,
      async send(email) {
        const options = composeOptions(email, config.from);
        const deliver = async () => (await (transport ??= openTransport())).sendMail(options);
        let info: Awaited<ReturnType<typeof deliver>>;
        if (!breaker) info = await deliver();
        else {
          let outcome: Awaited<ReturnType<typeof deliver>> | { refused: unknown };
          try {
            // A refused recipient or message passes the breaker as a value: the server is up.
            outcome = await breaker.execute(async () => {
              try {
                return await deliver();
              } catch (error) {
                if (isServerFailure(error)) throw error;
                return { refused: error };
              }
            });
          } catch (error) {
            if (isBreakerRejection(error)) throw new MailServerUnavailable(url.host, true, error);
            if (isServerFailure(error)) throw new MailServerUnavailable(url.host, false, error);
            throw error;
          }
          if ('refused' in outcome) throw outcome.refused;
          info = outcome;
        }
        return {
          messageId: String(options.messageId),
          accepted: info.accepted.map(String),
          rejected: info.rejected.map(String),
          response: info.response,
        };
      },
      async close() {
        (await transport)?.close();
      },
    };
  }

  // No SMTP server: compose the exact MIME message SMTP would carry, signed the same way.
  const openComposer = async () =>
    (await loadNodemailer()).createTransport({
      streamTransport: true,
      buffer: true,
      newline: 'windows',
      ...dkimOptions(config.dkim),
    });
  let composer: ReturnType<typeof openComposer> | undefined;
  const outbox = createOutbox(config.outboxDir);
  return {
    kind: 'outbox',
    outbox,
    async send(email) {
      const options = composeOptions(email, config.from);
      const info = await (await (composer ??= openComposer())).sendMail(options);
      if (!Buffer.isBuffer(info.message)) throw new Error('outbox composer returned a stream');
      const from = displayAddress(email.from) || config.from;
      const to = displayAddress(email.to);
      const entry = await outbox.write(email.owner ?? '_', email.messageId, info.message, {
        from,
        to,
        subject: email.subject,
      });
      return {
        messageId: entry.messageId,
        accepted: [to],
        rejected: [],
        response: `outbox ${entry.id}`,
      };
    },
    close() {
      return Promise.resolve();
    },
  };
}
