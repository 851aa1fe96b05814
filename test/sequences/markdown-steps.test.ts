// Email steps written in Markdown (issue #14 item 16): the server makes the HTML from the Markdown
// (sanitised, Liquid kept) before the usual template check, so the preview and the email sent
// carry it; the Markdown is kept for the editor until the step is written in HTML again.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api as request, type Method } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.ts';

interface Step {
  id: string;
  subject: string;
  html: string;
  markdown: string | null;
  text: string;
}
interface ErrorBody {
  error: {
    code: string;
    message: string;
    details: { issues: { path: string; line?: number; column?: number }[] };
  };
}

const MARKDOWN = [
  '# Fresh rye, {{ subscriber.first_name | default: "there" }}',
  '',
  'Our **warm** loaves are out. <script>alert(1)</script>',
  '',
  '[Order a loaf](https://bakery.example/order) or [not](javascript:alert(2))',
].join('\n');

describe('email steps written in Markdown', () => {
  let receiver: SmtpReceiver;
  let ctx: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    ctx = await buildTestApp({ env: { SMTP_URL: receiver.url, PUBLIC_URL: 'http://herald.test' } });
    owner = await newUser(ctx.app);
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.close();
  });

  const api = <T>(method: Method, url: string, payload?: object, expected?: number) =>
    request<T>(ctx.app, owner, method, url, payload, expected);

  async function newSequence() {
    const business = await newBusiness(ctx.app, owner);
    const path = `/api/v1/businesses/${business.id}`;
    const created = await api<{ id: string }>('POST', `${path}/sequences`, { name: 'Rye' }, 201);
    return { path, base: `${path}/sequences/${created.body.id}` };
  }

  it('a step saved as Markdown stores the sanitised HTML, reads back its Markdown, and is sent as that HTML', async () => {
    const { path, base } = await newSequence();
    const saved = await api<Step>(
      'POST',
      `${base}/steps`,
      { subject: 'Rye is here', markdown: MARKDOWN },
      201,
    );
    expect(saved.body.markdown).toBe(MARKDOWN);
    expect(saved.body.html).toContain(
      '<h1>Fresh rye, {{ subscriber.first_name | default: "there" }}</h1>',
    );
    expect(saved.body.html).toContain('<strong>warm</strong>');
    expect(saved.body.html).toContain('<a href="https://bakery.example/order">Order a loaf</a>');
    expect(saved.body.html).not.toMatch(/script|javascript|alert/);
    const read = await api<{ steps: Step[] }>('GET', base, undefined, 200);
    expect(read.body.steps[0]?.markdown).toBe(MARKDOWN);
    expect(read.body.steps[0]?.html).toBe(saved.body.html);

    // The editor's preview of the same Markdown, rendered for the sample subscriber.
    const preview = await api<{ html: string; markdownHtml: string | null }>(
      'POST',
      `${path}/sequences/preview`,
      { subject: 'Rye is here', markdown: MARKDOWN },
      200,
    );
    expect(preview.body.markdownHtml).toBe(saved.body.html);
    expect(preview.body.html).toContain('<h1>Fresh rye, Sam</h1>');

    const ann = `ann-${randomUUID()}@example.org`;
    await api('POST', `${path}/subscribers`, { email: ann, firstName: 'Ann' }, 201);
    await api('POST', `${base}/enrollments`, { filter: { all: true } }, 200);
    await api('POST', `${base}/activate`, undefined, 200);
    const round = await ctx.runtime.services.sequenceDispatcher.runOnce(
      new Date(Date.now() + 1000),
    );
    expect(round.sent).toBe(1);
    const [mail] = await receiver.to(ann);
    if (!mail) throw new Error('no email for Ann');
    const html = typeof mail.html === 'string' ? mail.html : '';
    expect(html).toContain('<h1>Fresh rye, Ann</h1>');
    expect(html).toContain('<strong>warm</strong>');
    expect(html).toMatch(/<a href="http:\/\/herald\.test\/e\/c\/[^"]+">Order a loaf<\/a>/);
    expect(html).not.toMatch(/<script|javascript:/);
    expect(mail.text).toContain('Fresh rye, Ann');
  });

  it('bad Liquid in Markdown is refused like bad Liquid in HTML, pointing at the Markdown line', async () => {
    const { path, base } = await newSequence();
    const broken = '# Hello\n\nHi {{ subscriber.first_name | nosuchfilter }}';
    const asHtml = await api<ErrorBody>('POST', `${base}/steps`, {
      subject: 'Hi',
      html: '<h1>Hello</h1>\n<p>Hi {{ subscriber.first_name | nosuchfilter }}</p>',
    });
    const asMarkdown = await api<ErrorBody>('POST', `${base}/steps`, {
      subject: 'Hi',
      markdown: broken,
    });
    expect(asHtml.status).toBe(400);
    expect(asMarkdown.status).toBe(asHtml.status);
    expect(asMarkdown.body.error.code).toBe(asHtml.body.error.code);
    expect(asMarkdown.body.error.code).toBe('VALIDATION_ERROR');
    expect(asMarkdown.body.error.details.issues).toEqual([
      expect.objectContaining({ path: 'body.markdown', line: 3 }),
    ]);
    expect(asMarkdown.body.error.message).toContain('nosuchfilter');

    // The preview refuses it the same way, and nothing was saved.
    const preview = await api<ErrorBody>('POST', `${path}/sequences/preview`, {
      subject: 'Hi',
      markdown: broken,
    });
    expect(preview.status).toBe(400);
    expect(preview.body.error.details.issues[0]?.path).toBe('body.markdown');
    const read = await api<{ steps: Step[] }>('GET', base, undefined, 200);
    expect(read.body.steps).toHaveLength(0);
  });

  it('writing the step in HTML again clears its Markdown; other edits keep it', async () => {
    const { base } = await newSequence();
    const created = await api<Step>(
      'POST',
      `${base}/steps`,
      { subject: 'Rye', markdown: 'Hello **{{ subscriber.first_name }}**' },
      201,
    );
    const stepUrl = `${base}/steps/${created.body.id}`;

    const renamed = await api<Step>('PATCH', stepUrl, { subject: 'Rye again' }, 200);
    expect(renamed.body.markdown).toBe('Hello **{{ subscriber.first_name }}**');
    expect(renamed.body.html).toBe('<p>Hello <strong>{{ subscriber.first_name }}</strong></p>');

    const remarked = await api<Step>('PATCH', stepUrl, { markdown: '## Spelt' }, 200);
    expect(remarked.body.html).toBe('<h2>Spelt</h2>');

    const asHtml = await api<Step>('PATCH', stepUrl, { html: '<p>Hand-written HTML</p>' }, 200);
    expect(asHtml.body.markdown).toBeNull();
    expect(asHtml.body.html).toBe('<p>Hand-written HTML</p>');
    const read = await api<{ steps: Step[] }>('GET', base, undefined, 200);
    expect(read.body.steps[0]).toMatchObject({ markdown: null, html: '<p>Hand-written HTML</p>' });

    // markdown: null keeps the HTML made from the Markdown and writes the step in HTML from now on.
    await api('PATCH', stepUrl, { markdown: 'Back to *Markdown*' }, 200);
    const kept = await api<Step>('PATCH', stepUrl, { markdown: null }, 200);
    expect(kept.body).toMatchObject({ markdown: null, html: '<p>Back to <em>Markdown</em></p>' });
  });

  it('a step needs its body as HTML or as Markdown, and Markdown that leaves nothing is refused', async () => {
    const { base } = await newSequence();
    const neither = await api<ErrorBody>('POST', `${base}/steps`, { subject: 'Hi' });
    expect(neither.status).toBe(400);
    expect(neither.body.error.details.issues[0]?.path).toBe('body.html');
    const empty = await api<ErrorBody>('POST', `${base}/steps`, {
      subject: 'Hi',
      markdown: '<script>alert(1)</script>',
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.issues[0]?.path).toBe('body.markdown');
  });

  it('a step written in HTML reads back with no Markdown, as before', async () => {
    const { base } = await newSequence();
    const created = await api<Step>(
      'POST',
      `${base}/steps`,
      { subject: 'Hi', html: '<p>Hi <b>there</b></p>' },
      201,
    );
    expect(created.body).toMatchObject({ html: '<p>Hi <b>there</b></p>', markdown: null });
  });
});
