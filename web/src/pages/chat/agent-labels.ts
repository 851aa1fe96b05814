// How the chat names what the agents did: a tool card's status, an action's state, and which
// model wrote a reply (labelled as the rest of the dashboard labels AI output).
import type { ChatActionStatus, ChatMessage, ToolCardStatus } from './types';

export const TOOL_STATUS: Record<ToolCardStatus, string> = {
  running: 'Running…',
  done: 'Done',
  failed: 'Failed',
  refused: 'Refused',
  awaiting_confirmation: 'Waiting for your confirmation',
};

export const ACTION_STATUS: Record<ChatActionStatus, string> = {
  pending: 'Waiting for your confirmation',
  confirmed: 'Confirmed and done',
  rejected: 'Rejected: nothing was done',
  expired: 'Expired: nothing was done',
  failed: 'Confirmed, but it failed',
};

/** The badge colour class of a status (the dashboard's status-* classes). */
export function statusClass(status: string): string {
  if (status === 'done' || status === 'confirmed' || status === 'success')
    return 'status-succeeded';
  if (status === 'running' || status === 'pending' || status === 'awaiting_confirmation') {
    return 'status-running';
  }
  if (status === 'failed' || status === 'refused' || status === 'limited') return 'status-failed';
  return '';
}

/** Who wrote a reply: the built-in agents (no model configured) or the named model. */
export function replyAuthor(message: Pick<ChatMessage, 'provider' | 'model'>): string | null {
  if (!message.provider) return null;
  return message.provider === 'builtin'
    ? 'Written by Herald’s built-in agents (no AI model)'
    : `Written by the AI (${message.model ?? message.provider})`;
}

/** An agent's name as people say it: `copywriter` → Copywriter, `email_marketer` → Email marketer. */
export function agentName(agent: string): string {
  const words = agent.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A tool input or result as readable JSON (strings as they are). */
export function asJson(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    // A cycle or a BigInt: the server sends neither, but a bad value must not break the page.
    return '(not shown: not JSON)';
  }
}
