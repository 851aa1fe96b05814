// A member removed in one `herald serve` process loses access in every other process at once:
// the membership and the API-key caches live in Redis, and removal clears both. Runs on the
// PostgreSQL server with Redis (CI), where the second process is a real `herald serve`.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api } from '../helpers/api.ts';
import { buildTestApp, redisUrl, serverDatabaseUrl, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';

const JWT_SECRET = 'two-processes-share-this-secret-0123456789';
const PORT = 18_000 + Math.floor(Math.random() * 1000);

/** Starts `herald serve` on the test app's database and Redis; resolves once it listens. */
async function startServe(databaseUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['src/main.ts', 'serve'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl ?? '',
      JWT_SECRET,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'herald-serve-')),
      LOG_PRETTY: 'false',
      RATE_LIMIT_GENERAL_PER_MINUTE: '100000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.includes('"herald listening"')) resolve();
    });
    child.once('exit', (code) => {
      reject(new Error(`herald serve exited with ${String(code)} before listening`));
    });
  });
  return child;
}

async function statusFrom(url: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${String(PORT)}${url}`, { headers });
  await response.arrayBuffer();
  return response.status;
}

describe.runIf(serverDatabaseUrl && redisUrl)('removing a member, seen by another process', () => {
  let ctx: TestApp;
  let other: ChildProcess | undefined;
  let owner: TestUser;
  let member: TestUser;

  beforeAll(async () => {
    ctx = await buildTestApp({ env: { JWT_SECRET } });
    if (ctx.config.database.kind !== 'postgres') throw new Error('expected a server database');
    other = await startServe(ctx.config.database.url);
    owner = await newUser(ctx.app);
    member = await newUser(ctx.app);
  }, 60_000);
  afterAll(async () => {
    if (other && other.exitCode === null) other.kill('SIGKILL');
    await ctx.close();
  });

  it("ends the member's JWT and business key access in the other process at once", async () => {
    const business = await newBusiness(ctx.app, owner);
    const invitation = await api<{ acceptUrl: string }>(
      ctx.app,
      owner,
      'POST',
      `/api/v1/businesses/${business.id}/invitations`,
      { email: member.email, role: 'admin' },
      201,
    );
    const token = invitation.body.acceptUrl.split('/').pop() ?? '';
    await api(ctx.app, member, 'POST', `/api/v1/invitations/${token}/accept`, undefined, 200);
    const key = await api<{ key: string }>(
      ctx.app,
      member,
      'POST',
      '/api/v1/auth/api-keys',
      { name: 'CI export', scopes: ['read'], businessId: business.id },
      201,
    );

    // The other process lets both in, and so has both answers cached.
    const campaigns = `/api/v1/businesses/${business.id}/campaigns`;
    expect(await statusFrom(campaigns, member.headers)).toBe(200);
    expect(await statusFrom(campaigns, { 'x-api-key': key.body.key })).toBe(200);

    await api(
      ctx.app,
      owner,
      'DELETE',
      `/api/v1/businesses/${business.id}/members/${member.id}`,
      undefined,
      204,
    );

    expect(await statusFrom(campaigns, member.headers)).toBe(404);
    expect(await statusFrom(campaigns, { 'x-api-key': key.body.key })).toBe(401);
    // The owner is untouched.
    expect(await statusFrom(campaigns, owner.headers)).toBe(200);
  });
});
