// Serving the dashboard: files from the build, index.html for client-side routes, the API and
// the server's own paths untouched, and a clear 503 while no build exists.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';

import { installDashboard } from '../../src/platform/http/dashboard.ts';

const dirs: string[] = [];
const apps: FastifyInstance[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function appServing(files: Record<string, string>, secure = false) {
  const distDir = mkdtempSync(path.join(tmpdir(), 'herald-dist-'));
  dirs.push(distDir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(distDir, name)), { recursive: true });
    writeFileSync(path.join(distDir, name), content);
  }
  const app = Fastify();
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: { code: 'NOT_FOUND', message: `Route ${request.url} not found` } }),
  );
  app.get('/api/v1/businesses', () => ({ items: [] }));
  await installDashboard(app, { distDir, secure });
  apps.push(app);
  return app;
}

const built = {
  'index.html': '<!doctype html><div id="root"></div>',
  'assets/index-abc123.js': 'console.log(1)',
  'favicon.svg': '<svg/>',
};

describe('the dashboard route', () => {
  it('answers index.html at / and at every client-side route, never cached', async () => {
    const app = await appServing(built);
    for (const url of [
      '/',
      '/login',
      '/businesses/0b6f6c8e-0000-4000-8000-000000000000/usage?x=1',
    ]) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('id="root"');
    }
  });

  it('serves hashed assets for a year and other files for an hour', async () => {
    const app = await appServing(built);
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ url: '/favicon.svg' });
    expect(icon.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('leaves the API and the server’s paths alone: unknown ones are 404s, not the app', async () => {
    const app = await appServing(built);
    expect((await app.inject({ url: '/api/v1/businesses' })).json()).toEqual({ items: [] });
    for (const url of ['/api/v1/nowhere', '/api', '/health/nope', '/docs/nope', '/metrics/x']) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
    }
  });

  it('does not serve files from outside the build', async () => {
    const app = await appServing(built);
    const response = await app.inject({ url: '/../../../../etc/passwd' });
    expect(response.body).not.toContain('root:');
    const encoded = await app.inject({ url: '/%2e%2e/%2e%2e/%2e%2e/etc/passwd' });
    expect(encoded.body).not.toContain('root:');
  });

  it('without a build, answers 503 saying how to build it', async () => {
    const app = await appServing({});
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    const { error } = response.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe('NOT_READY');
    expect(error.message).toContain('npm run build:web');
  });

  it('on plain http the document drops upgrade-insecure-requests; on https it keeps the header as set', async () => {
    const plain = await appServing(built);
    const csp = (await plain.inject({ url: '/' })).headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    const secure = await appServing(built, true);
    expect((await secure.inject({ url: '/' })).headers['content-security-policy']).toBeUndefined();
  });
});
