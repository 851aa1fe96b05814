import { describe, expect, it } from 'vitest';

import { type ContentTransition, describeTransition, timeAgo } from './review-trail-text';

const ana = { id: '00000000-0000-4000-8000-000000000001', name: 'Ana', email: 'ana@example.com' };

function move(
  fromStatus: ContentTransition['fromStatus'],
  toStatus: ContentTransition['toStatus'],
  actor: ContentTransition['actor'] = ana,
): ContentTransition {
  return { id: 'x', fromStatus, toStatus, actor, createdAt: '2026-03-02T09:00:00Z' };
}

describe('the review trail in words', () => {
  it('names the move and who made it', () => {
    expect(describeTransition(move('draft', 'in_review'))).toBe('Submitted for review by Ana');
    expect(describeTransition(move('in_review', 'approved'))).toBe('Approved by Ana');
    expect(describeTransition(move('draft', 'approved'))).toBe('Approved by Ana');
    expect(describeTransition(move('in_review', 'draft'))).toBe('Sent back to draft by Ana');
    expect(describeTransition(move('approved', 'draft'))).toBe('Back to draft by Ana');
    expect(describeTransition(move('archived', 'draft'))).toBe('Restored to draft by Ana');
    expect(describeTransition(move('approved', 'scheduled'))).toBe('Scheduled by Ana');
    expect(describeTransition(move('scheduled', 'approved'))).toBe('Unscheduled by Ana');
    expect(describeTransition(move('failed', 'scheduled'))).toBe('Rescheduled by Ana');
  });

  it('shows the publisher’s moves without a name, and a deleted user as a former member', () => {
    expect(describeTransition(move('scheduled', 'published', null))).toBe('Published');
    expect(describeTransition(move('scheduled', 'failed', null))).toBe('Publishing failed');
    expect(describeTransition(move('in_review', 'approved', null))).toBe(
      'Approved by a former member',
    );
  });

  it('falls back to the email when the name is blank', () => {
    expect(describeTransition(move('draft', 'archived', { ...ana, name: ' ' }))).toBe(
      'Archived by ana@example.com',
    );
  });

  it('says how long ago', () => {
    const now = new Date('2026-03-02T12:00:00Z');
    expect(timeAgo('2026-03-02T11:59:50Z', now)).toBe('just now');
    expect(timeAgo('2026-03-02T11:58:00Z', now)).toBe('2 min ago');
    expect(timeAgo('2026-03-02T09:00:00Z', now)).toBe('3 h ago');
    expect(timeAgo('2026-03-01T11:00:00Z', now)).toBe('yesterday');
    expect(timeAgo('2026-02-25T12:00:00Z', now)).toBe('5 days ago');
    expect(timeAgo('2026-03-02T12:00:10Z', now)).toBe('just now'); // a clock a little ahead
  });
});
