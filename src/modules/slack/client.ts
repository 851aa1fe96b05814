// A small client of Slack's Web API (SLACK_API_URL: slack.com, or a local fake in tests) and of
// the URLs Slack hands out (incoming webhooks, an interaction's response_url). Calls answer a
// value or throw SlackCallError, which says whether trying again later can help.

import { postJson, RefusedTarget } from '../../platform/http/outbound.ts';

export class SlackCallError extends Error {
  readonly retryable: boolean;
  /** Slack's error code (`channel_not_found`, `invalid_auth`, …) or the HTTP status. */
  readonly code: string;

  constructor(code: string, message: string, retryable: boolean) {
    super(message);
    this.name = 'SlackCallError';
    this.code = code;
    this.retryable = retryable;
  }
}

export interface SlackOAuthAccess {
  accessToken: string;
  teamId: string | null;
  teamName: string | null;
  /** Set when the install asked for `incoming-webhook`: the channel the installer picked. */
  channelId: string | null;
  channelName: string | null;
}

export interface SlackChannel {
  id: string;
  name: string;
}

export interface SlackClient {
  oauthAccess(code: string, redirectUri: string): Promise<SlackOAuthAccess>;
  postMessage(
    token: string,
    message: Record<string, unknown>,
  ): Promise<{ channel: string; ts: string }>;
  updateMessage(token: string, message: Record<string, unknown>): Promise<void>;
  listChannels(token: string): Promise<SlackChannel[]>;
  /** The Slack user's email (users.info; needs users:read.email), or null when hidden. */
  userEmail(token: string, userId: string): Promise<string | null>;
  /** POSTs JSON to an incoming webhook or a response_url. */
  postToUrl(url: string, body: Record<string, unknown>): Promise<void>;
  /** `slack:<host>`: the breaker of the host a call goes to. */
  hostOf(url?: string): string;
}

const RETRYABLE_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

interface SlackAnswer {
  ok?: boolean;
  error?: string;
  [key: string]: unknown;
}

export function createSlackClient(options: {
  apiUrl: string;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  timeoutMs: number;
  /** Let webhook and response URLs resolve to private addresses (development, tests). */
  allowPrivateTargets: boolean;
}): SlackClient {
  async function answerOf(response: Response, method: string): Promise<SlackAnswer> {
    if (response.status === 429 || response.status >= 500) {
      throw new SlackCallError(
        String(response.status),
        `Slack answered ${response.status} to ${method}`,
        true,
      );
    }
    const body = (await response.json().catch(() => ({}))) as SlackAnswer;
    if (body.ok !== true) {
      const code = body.error ?? `http_${response.status}`;
      throw new SlackCallError(
        code,
        `Slack refused ${method}: ${code}`,
        RETRYABLE_ERRORS.has(code),
      );
    }
    return body;
  }

  async function call(method: string, token: string, body: Record<string, unknown>) {
    let response: Response;
    try {
      response = await fetch(`${options.apiUrl}/api/${method}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new SlackCallError(
        'network',
        `Slack could not be reached: ${(error as Error).message}`,
        true,
      );
    }
    return answerOf(response, method);
  }

  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

  return {
    async oauthAccess(code, redirectUri) {
      if (!options.clientId || !options.clientSecret) {
        throw new SlackCallError(
          'not_configured',
          'SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are not set',
          false,
        );
      }
      let response: Response;
      try {
        response = await fetch(`${options.apiUrl}/api/oauth.v2.access`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            client_id: options.clientId,
            client_secret: options.clientSecret,
            code,
            redirect_uri: redirectUri,
          }).toString(),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        throw new SlackCallError(
          'network',
          `Slack could not be reached: ${(error as Error).message}`,
          true,
        );
      }
      const body = await answerOf(response, 'oauth.v2.access');
      const token = text(body.access_token);
      if (!token) throw new SlackCallError('no_token', 'Slack gave no bot token', false);
      const team = (body.team ?? {}) as Record<string, unknown>;
      const hook = (body.incoming_webhook ?? {}) as Record<string, unknown>;
      return {
        accessToken: token,
        teamId: text(team.id),
        teamName: text(team.name),
        channelId: text(hook.channel_id),
        channelName: text(hook.channel)?.replace(/^#/, '') ?? null,
      };
    },

    async postMessage(token, message) {
      const body = await call('chat.postMessage', token, message);
      return { channel: text(body.channel) ?? '', ts: text(body.ts) ?? '' };
    },

    async updateMessage(token, message) {
      await call('chat.update', token, message);
    },

    async listChannels(token) {
      const channels: SlackChannel[] = [];
      let cursor = '';
      // A workspace with thousands of channels is paged; ten pages of 200 is plenty to pick from.
      for (let page = 0; page < 10; page++) {
        const body = await call('conversations.list', token, {
          types: 'public_channel,private_channel',
          exclude_archived: true,
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        for (const channel of (body.channels ?? []) as Record<string, unknown>[]) {
          const id = text(channel.id);
          const name = text(channel.name);
          if (id && name) channels.push({ id, name });
        }
        cursor =
          text((body.response_metadata as Record<string, unknown> | undefined)?.next_cursor) ?? '';
        if (!cursor) break;
      }
      return channels;
    },

    async userEmail(token, userId) {
      let body: SlackAnswer;
      try {
        body = await call('users.info', token, { user: userId });
      } catch (error) {
        // An unknown user is an answer, not a failure of Slack (the breaker must not count it).
        if (error instanceof SlackCallError && error.code === 'user_not_found') return null;
        throw error;
      }
      const user = (body.user ?? {}) as Record<string, unknown>;
      const profile = (user.profile ?? {}) as Record<string, unknown>;
      return text(profile.email);
    },

    async postToUrl(url, body) {
      const status = await postJsonTo(url, JSON.stringify(body), options);
      if (status < 200 || status >= 300) {
        throw new SlackCallError(
          String(status),
          `Slack answered ${status}`,
          status === 429 || status >= 500,
        );
      }
    },

    hostOf(url) {
      return `slack:${new URL(url ?? options.apiUrl).host}`;
    },
  };
}

const SETTING = 'PUBLISH_WEBHOOK_ALLOW_PRIVATE';

/** POSTs JSON to a URL a user or Slack gave, refusing private addresses unless allowed. */
async function postJsonTo(
  url: string,
  body: string,
  options: { timeoutMs: number; allowPrivateTargets: boolean },
): Promise<number> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new SlackCallError('bad_url', 'not a URL', false);
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw new SlackCallError('bad_url', 'only http(s) URLs', false);
  }
  try {
    const answer = await postJson(target, body, {
      timeoutMs: options.timeoutMs,
      allowPrivate: options.allowPrivateTargets,
      allowPrivateSetting: SETTING,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Herald-Slack/1',
      },
    });
    return answer.statusCode;
  } catch (error) {
    if (error instanceof RefusedTarget) throw new SlackCallError('refused', error.message, false);
    throw new SlackCallError(
      'network',
      error instanceof Error ? error.message : String(error),
      true,
    );
  }
}
