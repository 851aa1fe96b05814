// Helpers for the campaign and content tests: their views of jobs and content, and waiting for a
// piece to reach a status (publishing).
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
