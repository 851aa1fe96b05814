// The review trail in words: each status change as a sentence naming who made it ("Submitted
// for review by Ana", "Approved by Sam", "Published" for the publisher's own moves) and how long
// ago ("2 min ago").
import type { components } from '../../api/schema';

export type ContentTransition = components['schemas']['ContentTransition'];

/** What the move did, in the marketer's words. */
function moveLabel(from: ContentTransition['fromStatus'], to: ContentTransition['toStatus']) {
  switch (to) {
    case 'in_review':
      return 'Submitted for review';
    case 'approved':
      return from === 'scheduled' ? 'Unscheduled' : 'Approved';
    case 'scheduled':
      return from === 'failed' ? 'Rescheduled' : 'Scheduled';
    case 'published':
      return 'Published';
    case 'failed':
      return 'Publishing failed';
    case 'archived':
      return 'Archived';
    case 'draft':
      return from === 'in_review'
        ? 'Sent back to draft'
        : from === 'archived'
          ? 'Restored to draft'
          : 'Back to draft';
  }
}

/** "Approved by Sam"; a move without an actor is the system's own ("Published"). */
export function describeTransition(transition: ContentTransition): string {
  const label = moveLabel(transition.fromStatus, transition.toStatus);
  const { actor } = transition;
  if (actor) return `${label} by ${actor.name.trim() || actor.email}`;
  const system = transition.toStatus === 'published' || transition.toStatus === 'failed';
  return system ? label : `${label} by a former member`;
}

/** "just now", "2 min ago", "3 h ago", "5 days ago"; past a month, the date. */
export function timeAgo(iso: string, now: Date = new Date()): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 31) return days === 1 ? 'yesterday' : `${days} days ago`;
  return new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });
}
