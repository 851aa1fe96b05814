// Drive the API as a client would: one request with a user's credentials and its status and
// JSON answer back; a job polled until it ends.
import { setTimeout as sleep } from 'node:timers/promises';

import { expect } from 'vitest';

import { type Job, TERMINAL_STATUSES } from '../../src/modules/jobs/schemas.ts';
import type { App } from '../../src/platform/http/types.ts';
import type { TestUser } from './fixtures.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A response: its status and its parsed JSON body (undefined when the body is empty). */
export interface ApiResponse<T> {
  status: number;
  body: T;
}

/**
 * One request as `user`. An object payload is sent as JSON, a string as the JSON text it is (for
 * bodies JSON.stringify would not write). With `expected`, the status is checked as well.
 */
export async function api<T = unknown>(
  app: App,
  user: TestUser,
  method: Method,
  url: string,
  payload?: object | string,
  expected?: number,
): Promise<ApiResponse<T>> {
  const response = await app.inject({
    method,
    url,
    headers:
      typeof payload === 'string'
        ? { ...user.headers, 'content-type': 'application/json' }
        : user.headers,
    ...(payload === undefined ? {} : { payload }),
  });
  if (expected !== undefined) expect(response.statusCode, response.body).toBe(expected);
  return {
    status: response.statusCode,
    body: (response.body === '' ? undefined : response.json()) as T,
  };
}

/**
 * `api` for one suite: its app and default user are read at each call, after `beforeAll` has
 * set them. `const api = suiteApi(() => ({ app: ctx.app, user: owner }));`
 */
export function suiteApi(current: () => { app: App; user: TestUser }) {
  return async <T = unknown>(
    method: Method,
    url: string,
    payload?: object | string,
    user?: TestUser,
  ): Promise<ApiResponse<T>> => {
    const suite = current();
    return api<T>(suite.app, user ?? suite.user, method, url, payload);
  };
}

/** Polls a job (GET /api/v1/jobs/{id}) until it succeeds, fails or is cancelled: 30 s at most. */
export async function finishedJob(app: App, user: TestUser, jobId: string): Promise<Job> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { body: job } = await api<Job>(app, user, 'GET', `/api/v1/jobs/${jobId}`);
    if (TERMINAL_STATUSES.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status}`);
    await sleep(100);
  }
}
