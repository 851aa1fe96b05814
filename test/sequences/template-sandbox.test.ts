// The Liquid sandbox, probed with the payloads of issue #11: templates that include, render or
// lay out a server file are refused at save and at preview (naming the tag, showing no file and
// no server path); loops and string doubling that would stall the event loop or answer hundreds
// of megabytes are stopped by the render limits at preview, at save, at test send and in AI
// drafts.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Job } from '../../src/modules/jobs/schemas.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { type FakeLlm, fakeLlmEnv, startFakeLlm } from '../helpers/fake-llm.ts';
import { newBusiness, newUser, type TestBusiness, type TestUser } from '../helpers/fixtures.ts';

interface ErrorBody {
  error: {
    code: string;
    message: string;
    details: { issues?: { path: string; message: string }[] };
  };
}

const FILE_TAGS = ['include', 'render', 'layout'] as const;
/** Real files of the server, each with a line of it that must never come back. */
const FILES: { path: string; marker: string }[] = [
  { path: 'src/config.ts', marker: 'Every setting Herald reads' },
  { path: 'package.json', marker: 'a self-hosted AI marketing command center' },
  { path: '/etc/passwd', marker: 'root:x:0:0' },
  { path: '../templates/package.json', marker: 'a self-hosted AI marketing command center' },
];

const MILLION_LOOP = '{% for i in (1..1000000) %}{% endfor %}';
const BIGGER_LOOP = '{% for i in (1..2700000) %}{% endfor %}';
const TRILLION_LOOP = '{% for i in (1..1000000000000) %}x{% endfor %}';
const DOUBLING =
  '{% assign s = "xxxxxxxxxx" %}{% for i in (1..25) %}{% assign s = s | append: s %}{% endfor %}{{ s }}';

describe('the Liquid template sandbox', () => {
  let ctx: TestApp;
  let fake: FakeLlm;
  let owner: TestUser;
  let business: TestBusiness;
  let base: string;

  beforeAll(async () => {
    fake = await startFakeLlm();
    ctx = await buildTestApp({ worker: true, env: fakeLlmEnv(fake) });
    owner = await newUser(ctx.app);
    business = await newBusiness(ctx.app, owner);
    base = `/api/v1/businesses/${business.id}`;
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  async function post(url: string, payload: object) {
    const response = await ctx.app.inject({
      method: 'POST',
      url,
      headers: owner.headers,
      payload,
    });
    return { status: response.statusCode, raw: response.payload, json: response.json<ErrorBody>() };
  }

  async function sequenceCount(): Promise<number> {
    const response = await ctx.app.inject({
      method: 'GET',
      url: `${base}/sequences`,
      headers: owner.headers,
    });
    return response.json<{ items: unknown[] }>().items.length;
  }

  function expectNoLeak(raw: string, marker?: string) {
    if (marker) expect(raw).not.toContain(marker);
    expect(raw).not.toContain(process.cwd());
    expect(raw).not.toContain('ENOENT');
  }

  it('refuses include, render and layout of a server file at preview, naming the tag and showing neither the file nor a server path', async () => {
    for (const tag of FILE_TAGS) {
      for (const file of FILES) {
        for (const field of ['html', 'text', 'subject'] as const) {
          const template = `{% ${tag} '${file.path}' %}`;
          const response = await post(`${base}/sequences/preview`, {
            subject: 'Hi',
            html: '<p>Hi</p>',
            [field]: template,
          });
          expect(response.status, `${tag} ${file.path} in ${field}: ${response.raw}`).toBe(400);
          expect(response.json.error.code).toBe('VALIDATION_ERROR');
          expect(response.json.error.message).toContain(
            `${tag} is not supported: templates cannot load other files`,
          );
          expect(response.json.error.details.issues?.[0]?.path).toBe(`body.${field}`);
          expectNoLeak(response.raw, file.marker);
        }
      }
    }
  });

  it('refuses a step that includes, renders or lays out a file when it is saved, and saves nothing', async () => {
    for (const tag of FILE_TAGS) {
      for (const file of FILES) {
        const template = `<p>Hi</p>{% ${tag} '${file.path}' %}`;
        const created = await post(`${base}/sequences`, {
          name: 'Leaky',
          steps: [{ subject: 'Hi', html: template }],
        });
        expect(created.status, created.raw).toBe(400);
        expect(created.json.error.message).toContain(`${tag} is not supported`);
        expect(created.json.error.details.issues?.[0]?.path).toBe('body.html');
        expectNoLeak(created.raw, file.marker);
      }
    }
    expect(await sequenceCount()).toBe(0);

    // Adding or editing a step of an existing sequence: the same refusal, naming the field.
    const sequence = await post(`${base}/sequences`, {
      name: 'Welcome',
      steps: [{ subject: 'Hi', html: '<p>Hi</p>' }],
    });
    expect(sequence.status).toBe(201);
    const { id, steps } = JSON.parse(sequence.raw) as { id: string; steps: { id: string }[] };
    const added = await post(`${base}/sequences/${id}/steps`, {
      subject: "{% include 'package.json' %}",
      html: '<p>Hi</p>',
    });
    expect(added.status).toBe(400);
    expect(added.json.error.details.issues?.[0]?.path).toBe('body.subject');
    const edited = await ctx.app.inject({
      method: 'PATCH',
      url: `${base}/sequences/${id}/steps/${steps[0]?.id ?? ''}`,
      headers: owner.headers,
      payload: { text: "{% render 'src/config.ts' %}" },
    });
    expect(edited.statusCode).toBe(400);
    expect(edited.json<ErrorBody>().error.details.issues?.[0]?.path).toBe('body.text');
    expect(edited.payload).not.toContain('Every setting Herald reads');
  });

  it('stops a million-iteration loop at preview with a 400 while /health/live keeps answering', async () => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    for (const loop of [MILLION_LOOP, BIGGER_LOOP]) {
      delay.reset();
      delay.enable();
      const order: string[] = [];
      const started = performance.now();
      const preview = ctx.app
        .inject({
          method: 'POST',
          url: `${base}/sequences/preview`,
          headers: owner.headers,
          payload: { subject: 'Hi', html: loop },
        })
        .then((response) => {
          order.push('preview');
          return response;
        });
      let healthMs = 0;
      const health = ctx.app.inject({ method: 'GET', url: '/health/live' }).then((response) => {
        healthMs = performance.now() - started;
        order.push('health');
        return response;
      });
      const [previewed, live] = await Promise.all([preview, health]);
      const elapsed = performance.now() - started;
      // One more turn of the loop, so the histogram's timer records the delay the render caused.
      await new Promise((resolve) => setTimeout(resolve, 30));
      delay.disable();
      expect(live.statusCode).toBe(200);
      expect(order).toHaveLength(2);
      expect(previewed.statusCode, previewed.payload).toBe(400);
      const body = previewed.json<ErrorBody>();
      expect(body.error.code).toBe('VALIDATION_ERROR');
      expect(body.error.message).toMatch(/takes longer than|builds more than/);
      expect(body.error.details.issues?.[0]?.path).toBe('body.html');
      console.log(
        `template sandbox: ${loop.slice(0, 26)}… preview answered in ${elapsed.toFixed(0)} ms, /health/live in ${healthMs.toFixed(0)} ms, event-loop delay max ${(delay.max / 1e6).toFixed(1)} ms`,
      );
    }
  });

  it('refuses the string-doubling template instead of answering 167 MB', async () => {
    const preview = await post(`${base}/sequences/preview`, { subject: 'Hi', html: DOUBLING });
    expect(preview.status).toBe(400);
    // The memory limit, or the time limit first on a busy machine: refused either way.
    expect(preview.json.error.message).toMatch(/builds more than|takes longer than/);
    expect(preview.raw.length).toBeLessThan(10_000);
    const saved = await post(`${base}/sequences`, {
      name: 'Doubling',
      steps: [{ subject: 'Hi', html: '<p>Hi</p>', text: DOUBLING }],
    });
    expect(saved.status).toBe(400);
    expect(saved.json.error.details.issues?.[0]?.path).toBe('body.text');
  });

  it('refuses a step with a 10^12 loop when it is saved, naming the field', async () => {
    const before = await sequenceCount();
    const saved = await post(`${base}/sequences`, {
      name: 'Forever',
      steps: [{ subject: 'Hi', html: TRILLION_LOOP }],
    });
    expect(saved.status).toBe(400);
    expect(saved.json.error.code).toBe('VALIDATION_ERROR');
    expect(saved.json.error.message).toContain('Template error in html');
    expect(saved.json.error.details.issues?.[0]?.path).toBe('body.html');
    const preheader = await post(`${base}/sequences`, {
      name: 'Forever',
      steps: [{ subject: 'Hi', preheader: MILLION_LOOP, html: '<p>Hi</p>' }],
    });
    expect(preheader.status).toBe(400);
    expect(preheader.json.error.details.issues?.[0]?.path).toBe('body.preheader');
    expect(await sequenceCount()).toBe(before);
  });

  it('answers a test send of a step saved before the sandbox with a 400 naming the part, and mails nothing', async () => {
    const created = await post(`${base}/sequences`, {
      name: 'Old steps',
      steps: [{ subject: 'Hi', html: '<p>Hi</p>' }],
    });
    const { id, steps } = JSON.parse(created.raw) as { id: string; steps: { id: string }[] };
    const stepId = steps[0]?.id ?? '';
    const outboxSize = async () =>
      (
        await ctx.app.inject({ method: 'GET', url: `${base}/outbox`, headers: owner.headers })
      ).json<{ items: unknown[] }>().items.length;
    const sentBefore = await outboxSize();
    for (const html of ["<p>{% include 'src/config.ts' %}</p>", TRILLION_LOOP, DOUBLING]) {
      // Written straight to the database, as a step saved by an older version would be.
      await ctx.runtime.database.query('UPDATE sequence_steps SET html = $1 WHERE id = $2', [
        html,
        stepId,
      ]);
      const sent = await post(`${base}/sequences/${id}/steps/${stepId}/test`, {
        to: owner.email,
      });
      expect(sent.status, sent.raw).toBe(400);
      expect(sent.json.error.code).toBe('VALIDATION_ERROR');
      expect(sent.json.error.details.issues?.[0]?.path).toBe('step.html');
      expectNoLeak(sent.raw, 'Every setting Herald reads');
    }
    expect(await outboxSize()).toBe(sentBefore);
    // The file is in the working directory this test reads: the marker above is a real one.
    expect(readFileSync('src/config.ts', 'utf8')).toContain('Every setting Herald reads');
  });

  it('fails an AI sequence draft whose template includes a file or loops past the limits, saving nothing', async () => {
    const before = await sequenceCount();
    for (const html of ["<p>Hi</p>{% include 'package.json' %}", TRILLION_LOOP]) {
      const draft = {
        name: 'Drafted',
        steps: [{ delayDays: 0, subject: 'Hi', preheader: '', html, text: 'Hi' }],
        rationale: 'Because.',
      };
      fake.reset();
      fake.otherwise({ content: JSON.stringify(draft) });
      const started = await post(`${base}/sequences/generate`, { goal: 'Welcome', steps: 1 });
      expect(started.status, started.raw).toBe(202);
      const jobId = (JSON.parse(started.raw) as { job: Job }).job.id;
      let job: Job | undefined;
      for (let i = 0; i < 300; i++) {
        job = (
          await ctx.app.inject({
            method: 'GET',
            url: `/api/v1/jobs/${jobId}`,
            headers: owner.headers,
          })
        ).json<Job>();
        if (['succeeded', 'failed', 'cancelled'].includes(job.status)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(job?.status).toBe('failed');
      expect(job?.error?.message).toMatch(
        /template error in html: (include is not supported|builds more than|takes longer than)/,
      );
      expect(JSON.stringify(job)).not.toContain('a self-hosted AI marketing command center');
    }
    expect(await sequenceCount()).toBe(before);
  });
});
