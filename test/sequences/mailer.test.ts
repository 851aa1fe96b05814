// The platform mailer: pooled SMTP to a real receiver on loopback, DKIM over the one-click
// unsubscribe headers, and the on-disk outbox used when no SMTP server is configured.
import { generateKeyPairSync, randomUUID } from 'node:crypto';

import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createMailer, readDkimKey } from '../../src/platform/mailer.ts';
import { rawHeader, type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

describe('mailer', () => {
  let receiver: SmtpReceiver;
  beforeAll(async () => {
    receiver = await startSmtpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('sends over pooled SMTP with the given Message-ID and signs the one-click headers', async () => {
    const mailer = createMailer({
      smtpUrl: receiver.url,
      from: 'Herald <herald@localhost>',
      dkim: { domainName: 'example.com', keySelector: 'herald', privateKey },
      poolSize: 2,
      outboxDir: `/tmp/herald-test-data/${randomUUID()}/outbox`,
    });
    const to = `reader-${randomUUID()}@example.org`;
    const result = await mailer.send({
      messageId: 'delivery-1@example.com',
      from: { name: 'Blue Bottle', address: 'hello@example.com' },
      replyTo: 'owner@example.com',
      to,
      subject: 'Fresh bread',
      html: '<p>Hello</p>',
      text: 'Hello',
      unsubscribe: { url: 'https://herald.example.com/u/abc' },
    });
    await mailer.close();
    expect(result.messageId).toBe('<delivery-1@example.com>');
    const [mail] = await receiver.to(to);
    if (!mail) throw new Error('no message arrived');
    expect(mail.messageId).toBe('<delivery-1@example.com>');
    expect(rawHeader(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(rawHeader(mail, 'List-Unsubscribe')).toBe('<https://herald.example.com/u/abc>');
    expect(mail.replyTo?.text).toBe('owner@example.com');
    const dkim = rawHeader(mail, 'DKIM-Signature')?.replace(/\s+/g, '') ?? '';
    expect(dkim).toContain('d=example.com');
    const signedHeaders = /(?:^|;)h=([^;]+)/.exec(dkim)?.[1] ?? '';
    expect(signedHeaders.toLowerCase().split(':')).toEqual(
      expect.arrayContaining([
        'from',
        'subject',
        'message-id',
        'list-unsubscribe',
        'list-unsubscribe-post',
      ]),
    );
  });

  it('without SMTP writes real MIME messages to the outbox, once per Message-ID', async () => {
    const mailer = createMailer({
      smtpUrl: undefined,
      from: 'Herald <herald@localhost>',
      dkim: undefined,
      poolSize: 1,
      outboxDir: `/tmp/herald-test-data/${randomUUID()}/outbox`,
    });
    const owner = randomUUID();
    const email = {
      messageId: '<m-1@herald.test>',
      to: 'a@example.org',
      subject: 'First',
      text: 'one',
      owner,
      unsubscribe: { url: 'https://herald.example.com/u/x' },
    };
    await mailer.send(email);
    await mailer.send(email); // a retry of the same message
    await mailer.send({ ...email, messageId: '<m-2@herald.test>', subject: 'Second' });
    const entries = (await mailer.outbox?.list(owner)) ?? [];
    expect(entries.map((entry) => entry.subject).sort()).toEqual(['First', 'Second']);
    const first = entries.find((entry) => entry.subject === 'First');
    const message = await mailer.outbox?.read(owner, first?.id ?? '');
    expect(message?.raw).toMatch(/^Message-ID: <m-1@herald\.test>/m);
    expect(message?.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    expect(await mailer.outbox?.read(owner, '../../etc/passwd')).toBeUndefined();
    expect(await mailer.outbox?.list(randomUUID())).toEqual([]);
  });

  // A name ending in a backslash once came out as `<"Back\"  hello"@…>`: names are handed to
  // nodemailer as { name, address } and its own address formatting quotes and encodes them.
  const AWKWARD_NAMES = ['Back\\', '"Quoted"', 'Ünïcode, Inc.', 'a <b@c>', 'Back\\" hello'];

  it('sends awkward sender display names exactly, with the right address, over SMTP and to the outbox', async () => {
    const smtp = createMailer({
      smtpUrl: receiver.url,
      from: 'Herald <herald@localhost>',
      dkim: undefined,
      poolSize: 1,
      outboxDir: `/tmp/herald-test-data/${randomUUID()}/outbox`,
    });
    const outbox = createMailer({
      smtpUrl: undefined,
      from: 'Herald <herald@localhost>',
      dkim: undefined,
      poolSize: 1,
      outboxDir: `/tmp/herald-test-data/${randomUUID()}/outbox`,
    });
    const owner = randomUUID();
    for (const [index, name] of AWKWARD_NAMES.entries()) {
      const to = `names-${index}-${randomUUID()}@example.org`;
      const email = {
        messageId: `name-${index}-${randomUUID()}@herald.test`,
        from: { name, address: 'news@bakery.example' },
        replyTo: { name, address: 'owner@bakery.example' },
        to: { name, address: to },
        subject: 'Names',
        text: 'Hello',
        owner,
      };
      await smtp.send(email);
      const sent = await outbox.send(email);
      const [mail] = await receiver.to(to);
      const stored = await outbox.outbox?.read(owner, sent.response.replace(/^outbox /, ''));
      const filed = await simpleParser(stored?.raw ?? '');
      for (const parsed of [mail, filed]) {
        expect(parsed?.from?.value, name).toEqual([{ name, address: 'news@bakery.example' }]);
        expect(parsed?.replyTo?.value, name).toEqual([{ name, address: 'owner@bakery.example' }]);
        const recipients = parsed?.to && !Array.isArray(parsed.to) ? parsed.to.value : [];
        expect(recipients, name).toEqual([{ name, address: to }]);
      }
    }
    await smtp.close();
  });

  it('reads a DKIM key given inline with escaped newlines', () => {
    expect(readDkimKey(privateKey.replaceAll('\n', '\\n'))).toBe(privateKey);
  });
});
