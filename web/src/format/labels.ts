// The words a marketer reads for the API's identifiers: statuses ("In review", not "in_review")
// and job and AI task names ("Campaign strategy", not "ai.campaign-strategy"). Every page shows
// them through these two functions, so a status reads the same on every page.

/** Every status the API returns (content, campaigns, jobs, sequences, enrollments, consent…). */
const STATUS_LABELS: Record<string, string> = {
  draft: 'Draft',
  in_review: 'In review',
  approved: 'Approved',
  scheduled: 'Scheduled',
  published: 'Published',
  failed: 'Failed',
  archived: 'Archived',
  active: 'Active',
  paused: 'Paused',
  completed: 'Completed',
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  cancelled: 'Cancelled',
  subscribed: 'Subscribed',
  unsubscribed: 'Unsubscribed',
  pending: 'Pending',
  bounced: 'Bounced',
  complained: 'Complained',
  suppressed: 'Suppressed',
  manual: 'Added by hand',
  success: 'Succeeded',
  sent: 'Sent',
  delivered: 'Delivered',
};

/** Job kinds and the AI tasks behind them (usage rows name the task without the `ai.`). */
const TASK_LABELS: Record<string, string> = {
  'brand-voice': 'Brand voice suggestion',
  'campaign-strategy': 'Campaign strategy',
  'content-piece': 'Content generation',
  'campaign-drafts': 'Write all drafts of a campaign',
  'campaign-insights': 'Campaign insight summary',
  'intelligence-insight': 'Customer intelligence narrative',
  'intelligence.insight': 'Customer intelligence narrative',
  'sequence-draft': 'Email sequence draft',
  'subscribers.import': 'Subscriber CSV import',
};

/** An identifier nobody has named yet still reads as words: `not_a_subscriber` → "Not a subscriber". */
function humanize(identifier: string): string {
  const words = identifier
    .replace(/^ai\./, '')
    .replace(/[._-]+/g, ' ')
    .trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : identifier;
}

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? humanize(status);
}

/** A job kind (`ai.content-piece`, `subscribers.import`) or an AI task name (`content-piece`). */
export function taskLabel(kindOrTask: string): string {
  return (
    TASK_LABELS[kindOrTask] ?? TASK_LABELS[kindOrTask.replace(/^ai\./, '')] ?? humanize(kindOrTask)
  );
}
