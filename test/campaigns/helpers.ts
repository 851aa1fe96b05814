// Helpers for the campaign and content tests: wait for jobs and publishing to finish.
import { setTimeout as sleep } from 'node:timers/promises';

import type { App } from '../../src/platform/http/types.ts';
import { api } from '../helpers/api.ts';
import type { TestUser } from '../helpers/fixtures.ts';

export interface JobView {
  id: string;
  status: string;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

export interface ContentView {
  id: string;
  status: string;
  platform: string;
  body: Record<string, unknown> | null;
  currentVersion: number;
  publishAt: string | null;
  publishedAt: string | null;
  calendarKey?: string;
  plannedDate: string | null;
  topic: string;
}

export async function finishedJob(app: App, user: TestUser, jobId: string): Promise<JobView> {
  for (let i = 0; i < 240; i++) {
    const { body } = await api<JobView>(app, user, 'GET', `/api/v1/jobs/${jobId}`);
    if (['succeeded', 'failed', 'cancelled'].includes(body.status)) return body;
    await sleep(100);
  }
  throw new Error(`job ${jobId} did not finish`);
}

export async function untilStatus(
  app: App,
  user: TestUser,
  businessId: string,
  contentId: string,
  statuses: string[],
): Promise<ContentView> {
  for (let i = 0; i < 300; i++) {
    const { body } = await api<ContentView>(
      app,
      user,
      'GET',
      `/api/v1/businesses/${businessId}/contents/${contentId}`,
    );
    if (statuses.includes(body.status)) return body;
    await sleep(100);
  }
  throw new Error(`content ${contentId} never reached ${statuses.join('|')}`);
}

/** A publish time already due: the worker publishes at once. */
export const dueNow = () => new Date(Date.now() - 1000).toISOString();
