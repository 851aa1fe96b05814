// The Slack messages Herald posts, in Block Kit: one per kind of event, and the approval request
// with its Approve / Request changes buttons (their value names the business and the piece, so
// the interaction endpoint knows what was decided without a lookup table).
import type { SlackNotificationChoices } from '../../platform/db/schema/integrations.ts';
import type { HeraldEvent } from '../../platform/events.ts';

export const APPROVE_ACTION = 'herald_approve';
export const REQUEST_CHANGES_ACTION = 'herald_request_changes';

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
  [key: string]: unknown;
}

const str = (value: unknown, fallback = ''): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback;

/** Slack's mrkdwn treats &, < and > as markup: user text is escaped as Slack documents. */
export function escapeMrkdwn(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string) => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text }],
});

function simple(text: string, detail?: string): SlackMessage {
  return { text, blocks: [section(text), ...(detail ? [context(detail)] : [])] };
}

/** Which notification choice lets an event through; undefined: Slack is never told of it. */
export function choiceFor(type: HeraldEvent['type']): keyof SlackNotificationChoices | undefined {
  switch (type) {
    case 'job.succeeded':
    case 'job.failed':
      return 'jobs';
    case 'content.published':
    case 'content.failed':
      return 'publishing';
    case 'content.in_review':
      return 'approvals';
    case 'sequence.bounce_rate_exceeded':
      return 'bounces';
    case 'ai.budget_threshold':
      return 'budget';
    default:
      return undefined;
  }
}

const percent = (value: unknown) =>
  typeof value === 'number' ? `${(value * 100).toFixed(1)} %` : str(value, '?');

/** The message telling of `event`; `withButtons` adds the approval buttons (the app only). */
export function messageFor(event: HeraldEvent, withButtons: boolean): SlackMessage {
  const data = event.data;
  switch (event.type) {
    case 'job.succeeded':
      return simple(
        `:white_check_mark: Job *${escapeMrkdwn(str(data.kind, 'job'))}* finished.`,
        `Job ${str(data.jobId)}`,
      );
    case 'job.failed':
      return simple(
        `:x: Job *${escapeMrkdwn(str(data.kind, 'job'))}* failed: ${escapeMrkdwn(str(data.error, 'unknown error'))}`,
        `Job ${str(data.jobId)}`,
      );
    case 'content.published': {
      const url = str(data.url);
      return simple(
        `:mega: A ${escapeMrkdwn(str(data.platform, 'content'))} piece was published${url ? `: <${url}>` : '.'}`,
        `Piece ${str(data.contentId)}`,
      );
    }
    case 'content.failed':
      return simple(
        `:warning: A ${escapeMrkdwn(str(data.platform, 'content'))} piece failed to publish: ${escapeMrkdwn(str(data.error, 'unknown error'))}`,
        `Piece ${str(data.contentId)}`,
      );
    case 'sequence.bounce_rate_exceeded':
      return simple(
        `:rotating_light: Step ${str(data.stepPosition, '?')} of *${escapeMrkdwn(str(data.sequenceName, 'a sequence'))}* bounces ${percent(data.bounceRate)} (${str(data.bounced, '?')} of ${str(data.sent, '?')} sent; threshold ${percent(data.threshold)}).`,
      );
    case 'ai.budget_threshold':
      return simple(
        `:moneybag: AI spend for ${escapeMrkdwn(str(data.month))} has reached ${str(data.percent, '?')} % of the budget ($${str(data.spentUsd, '?')} of $${str(data.budgetUsd, '?')}).`,
      );
    case 'content.in_review':
      return approvalRequest(event.businessId, data, withButtons);
    default:
      return simple(`Herald: ${event.type}`);
  }
}

function approvalRequest(
  businessId: string,
  data: Record<string, unknown>,
  withButtons: boolean,
): SlackMessage {
  const title = escapeMrkdwn(str(data.title, 'Untitled piece'));
  const excerpt = escapeMrkdwn(str(data.excerpt));
  const text = `:memo: A ${escapeMrkdwn(str(data.platform, 'content'))} piece is waiting for review: *${title}*`;
  const value = `${businessId}:${str(data.contentId)}`;
  const blocks: Record<string, unknown>[] = [section(text)];
  if (excerpt) blocks.push(section(`>${excerpt.replaceAll('\n', '\n>')}`));
  if (withButtons) {
    blocks.push({
      type: 'actions',
      block_id: 'herald_review',
      elements: [
        {
          type: 'button',
          action_id: APPROVE_ACTION,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve' },
          value,
        },
        {
          type: 'button',
          action_id: REQUEST_CHANGES_ACTION,
          text: { type: 'plain_text', text: 'Request changes' },
          value,
        },
      ],
    });
  }
  return { text, blocks };
}

/** The approval message after a decision (or a refused one): the buttons go when it is decided. */
export function decidedMessage(
  original: { text?: string; blocks?: Record<string, unknown>[] },
  outcome: string,
  keepButtons: boolean,
): SlackMessage {
  const blocks = (original.blocks ?? []).filter((block) => keepButtons || block.type !== 'actions');
  return {
    text: original.text ?? outcome,
    blocks: [
      ...blocks.filter((block) => block.block_id !== 'herald_outcome'),
      { ...context(outcome), block_id: 'herald_outcome' },
    ],
  };
}
