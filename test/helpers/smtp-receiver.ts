// A real SMTP server on loopback (the `smtp-server` package) that keeps every message it
// accepts, counts them by Message-ID and parses them with mailparser on demand. Tests and
// benchmarks send to it through nodemailer exactly as they would to a production relay.
import type { AddressInfo } from 'node:net';

import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMessage {
  raw: Buffer;
  messageId: string;
  envelopeTo: string[];
}

export interface SmtpReceiver {
  url: string;
  port: number;
  messages: ReceivedMessage[];
  /** Messages received per Message-ID. */
  countsByMessageId(): Map<string, number>;
  /** Resolves once at least `count` messages arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  parse(message: ReceivedMessage): Promise<ParsedMail>;
  /** Parsed messages sent to this address, oldest first. */
  to(address: string): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

function messageIdOf(raw: Buffer): string {
  // Headers end at the first empty line; Message-ID never folds in what nodemailer writes.
  const head = raw.subarray(0, Math.max(raw.indexOf('\r\n\r\n'), 0) || 4096).toString('utf8');
  const match = /^message-id:\s*(<[^>\r\n]+>)/im.exec(head);
  return match?.[1] ?? '';
}

/** A header's value as it arrived (unfolded), e.g. `List-Unsubscribe-Post`; mailparser groups
 * List-* headers under `list`, so tests read the raw lines instead. */
export function rawHeader(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((header) => header.key === name.toLowerCase())?.line;
  return line
    ?.slice(line.indexOf(':') + 1)
    .replace(/\r?\n\s+/g, ' ')
    .trim();
}

export interface SmtpReceiverOptions {
  host?: string;
  /** A fixed port (a server brought back where a stopped one was); default: any free port. */
  port?: number;
  /**
   * Wait this long after a message has arrived in full before answering "250": a slow relay.
   * The message is kept when the answer is given, even if the sender has gone by then — as a
   * real server would deliver it — which is how a crashed sender's at-least-once gap shows.
   */
  acceptDelayMs?: number;
  /** Refuses a recipient with this SMTP code (550: a hard bounce, 451: try again later). */
  refuseRecipient?: (address: string) => number | undefined;
}

export async function startSmtpReceiver(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const messages: ReceivedMessage[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 200,
    onRcptTo(address, _session, callback) {
      const code = options.refuseRecipient?.(address.address);
      if (code === undefined) {
        callback();
        return;
      }
      const error = new Error(code >= 500 ? 'No such user here' : 'Try again later');
      (error as Error & { responseCode: number }).responseCode = code;
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      const accept = () => {
        const raw = Buffer.concat(chunks);
        messages.push({
          raw,
          messageId: messageIdOf(raw),
          envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
        });
        for (const waiter of [...waiters]) {
          if (messages.length >= waiter.count) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
        callback();
      };
      stream.on('end', () => {
        if (options.acceptDelayMs) setTimeout(accept, options.acceptDelayMs);
        else accept();
      });
    },
  });
  // A sender that dies mid-session (the crash test kills one) resets its connection: that is
  // the sender's failure to observe, not the receiver's.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => {
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return {
    url: `smtp://${host}:${port}`,
    port,
    messages,
    countsByMessageId() {
      const counts = new Map<string, number>();
      for (const message of messages) {
        counts.set(message.messageId, (counts.get(message.messageId) ?? 0) + 1);
      }
      return counts;
    },
    waitFor(count, timeoutMs = 20_000) {
      if (messages.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`expected ${count} messages, received ${messages.length}`));
        }, timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    parse(message) {
      return simpleParser(message.raw);
    },
    async to(address) {
      const wanted = address.toLowerCase();
      const mine = messages.filter((message) =>
        message.envelopeTo.some((to) => to.toLowerCase() === wanted),
      );
      return Promise.all(mine.map((message) => simpleParser(message.raw)));
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
