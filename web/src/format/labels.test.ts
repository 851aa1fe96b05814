// Statuses and task names read as words on every page.
import { describe, expect, it } from 'vitest';

import { statusLabel, taskLabel } from './labels';

describe('labels for statuses and AI tasks', () => {
  it('names every status the API returns in words', () => {
    expect(statusLabel('in_review')).toBe('In review');
    expect(statusLabel('draft')).toBe('Draft');
    expect(statusLabel('succeeded')).toBe('Succeeded');
    expect(statusLabel('unsubscribed')).toBe('Unsubscribed');
  });

  it('turns a status nobody has named yet into words rather than an identifier', () => {
    expect(statusLabel('not_a_subscriber')).toBe('Not a subscriber');
    expect(statusLabel('waiting-for-review')).toBe('Waiting for review');
  });

  it('names a task the same from a job kind and from a usage row', () => {
    expect(taskLabel('ai.campaign-strategy')).toBe('Campaign strategy');
    expect(taskLabel('campaign-strategy')).toBe('Campaign strategy');
    expect(taskLabel('content-piece')).toBe('Content generation');
    expect(taskLabel('subscribers.import')).toBe('Subscriber CSV import');
    expect(taskLabel('ai.new-thing')).toBe('New thing');
  });
});
