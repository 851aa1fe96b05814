// A local stand-in for Slack, on loopback: it speaks the Web API methods Herald calls
// (oauth.v2.access, chat.postMessage, chat.update, conversations.list, users.info), serves the
// consent page (which "allows" at once and redirects back with a code), receives incoming
// webhooks and response_url posts, and signs interaction and slash-command requests to Herald
// with the signing secret, as Slack does.
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { slackSignature } from '../../src/modules/slack/signature.ts';
import type { App } from '../../src/platform/http/types.ts';

export interface FakeSlackCall {
  /** `chat.postMessage`, `webhook`, `response`, … */
  method: string;
  token: string | undefined;
  body: Record<string, unknown>;
}

export interface FakeSlackOptions {
  clientId: string;
  clientSecret: string;
  signingSecret: string;
  team?: { id: string; name: string };
  channels?: { id: string; name: string }[];
}

export class FakeSlack {
  readonly calls: FakeSlackCall[] = [];
  readonly botToken = `xoxb-${randomUUID()}`;
  /** Slack user id → profile email (users.info). */
  readonly emails = new Map<string, string>();
  readonly team: { id: string; name: string };
  private readonly events = new EventEmitter();
  private readonly codes = new Set<string>();
  private readonly failures = new Map<string, { status: number; error?: string }[]>();
  private readonly server: http.Server;
  private tsCounter = 1_700_000_000;
  url = '';
  private readonly options: FakeSlackOptions;

  constructor(options: FakeSlackOptions) {
    this.options = options;
    this.team = options.team ?? { id: 'T0BAKERY', name: 'Bakery' };
    this.server = http.createServer((request, response) => {
      void this.handle(request, response);
    });
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  /** The next call of `method` answers `status` (and `ok: false, error` when given). */
  failNext(method: string, status: number, error?: string): void {
    const list = this.failures.get(method) ?? [];
    list.push({ status, ...(error ? { error } : {}) });
    this.failures.set(method, list);
  }

  callsOf(method: string): FakeSlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Resolves with the first call of `method` matching `match`, waiting for it if need be. */
  async waitFor(
    method: string,
    match: (call: FakeSlackCall) => boolean = () => true,
  ): Promise<FakeSlackCall> {
    for (;;) {
      const found = this.callsOf(method).find(match);
      if (found) return found;
      await once(this.events, 'call');
    }
  }

  incomingWebhookUrl(): string {
    return `${this.url}/services/T0BAKERY/B0HOOK/${randomUUID()}`;
  }

  responseUrl(): string {
    return `${this.url}/actions/${randomUUID()}`;
  }

  /** A form body signed as Slack signs it; `ageSeconds` makes an old (replayed) request. */
  signed(
    fields: Record<string, string>,
    options: { ageSeconds?: number; secret?: string } = {},
  ): { body: string; headers: Record<string, string> } {
    const body = new URLSearchParams(fields).toString();
    const timestamp = String(Math.floor(Date.now() / 1000) - (options.ageSeconds ?? 0));
    return {
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': slackSignature(
          options.secret ?? this.options.signingSecret,
          timestamp,
          body,
        ),
      },
    };
  }

  /** Clicks a button of a message Herald posted, as `slackUserId`. */
  async click(
    app: App,
    message: { channel: string; ts: string; text: string; blocks: Record<string, unknown>[] },
    actionId: string,
    slackUserId: string,
    options: { ageSeconds?: number; secret?: string } = {},
  ) {
    const actions = message.blocks.find((block) => block.type === 'actions') as
      { elements: { action_id: string; value: string }[] } | undefined;
    const button = actions?.elements.find((element) => element.action_id === actionId);
    if (!button) throw new Error(`no ${actionId} button on the message`);
    const payload = {
      type: 'block_actions',
      team: { id: this.team.id, domain: 'bakery' },
      user: { id: slackUserId, team_id: this.team.id },
      channel: { id: message.channel },
      message: { ts: message.ts, text: message.text, blocks: message.blocks },
      response_url: this.responseUrl(),
      actions: [{ action_id: actionId, value: button.value, type: 'button' }],
    };
    const { body, headers } = this.signed({ payload: JSON.stringify(payload) }, options);
    return app.inject({
      method: 'POST',
      url: '/api/v1/slack/interactions',
      headers,
      payload: body,
    });
  }

  /** Types `/herald <text>` in `channelId` as `slackUserId`. */
  async command(app: App, text: string, slackUserId: string, channelId: string) {
    const { body, headers } = this.signed({
      command: '/herald',
      text,
      team_id: this.team.id,
      user_id: slackUserId,
      channel_id: channelId,
      response_url: this.responseUrl(),
      trigger_id: randomUUID(),
    });
    return app.inject({ method: 'POST', url: '/api/v1/slack/commands', headers, payload: body });
  }

  private record(call: FakeSlackCall): void {
    this.calls.push(call);
    this.events.emit('call', call);
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', this.url);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const parsed = (): Record<string, unknown> => {
      if ((request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        return Object.fromEntries(new URLSearchParams(raw));
      }
      return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    };

    if (request.method === 'GET' && url.pathname === '/oauth/v2/authorize') {
      // The consent page: the user allows at once.
      const code = `code-${randomUUID()}`;
      this.codes.add(code);
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      this.record({
        method: 'authorize',
        token: undefined,
        body: Object.fromEntries(url.searchParams),
      });
      response.writeHead(302, { location: back.toString() });
      response.end();
      return;
    }
    if (request.method !== 'POST') {
      json(404, { ok: false, error: 'unknown_method' });
      return;
    }

    const kind = url.pathname.startsWith('/services/')
      ? 'webhook'
      : url.pathname.startsWith('/actions/')
        ? 'response'
        : url.pathname.replace(/^\/api\//, '');
    const body = parsed();
    this.record({ method: kind, token: bearer, body });
    const failure = this.failures.get(kind)?.shift();
    if (failure) {
      json(failure.status, { ok: false, error: failure.error ?? 'internal_error' });
      return;
    }
    if (kind === 'webhook' || kind === 'response') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok');
      return;
    }
    if (kind === 'oauth.v2.access') {
      const valid =
        body.client_id === this.options.clientId &&
        body.client_secret === this.options.clientSecret &&
        typeof body.code === 'string' &&
        this.codes.delete(body.code);
      if (!valid) {
        json(200, { ok: false, error: 'invalid_code' });
        return;
      }
      const channel = this.options.channels?.[0] ?? { id: 'C0MARKETING', name: 'marketing' };
      json(200, {
        ok: true,
        access_token: this.botToken,
        token_type: 'bot',
        team: this.team,
        incoming_webhook: {
          channel: `#${channel.name}`,
          channel_id: channel.id,
          url: this.incomingWebhookUrl(),
        },
      });
      return;
    }
    if (bearer !== this.botToken) {
      json(200, { ok: false, error: 'invalid_auth' });
      return;
    }
    switch (kind) {
      case 'chat.postMessage':
        if (typeof body.channel !== 'string' || body.channel === '') {
          json(200, { ok: false, error: 'channel_not_found' });
          return;
        }
        {
          json(200, { ok: true, channel: body.channel, ts: `${this.tsCounter++}.000100` });
          return;
        }
      case 'chat.update': {
        json(200, { ok: true, channel: body.channel, ts: body.ts });
        return;
      }
      case 'conversations.list': {
        json(200, {
          ok: true,
          channels: (this.options.channels ?? [{ id: 'C0MARKETING', name: 'marketing' }]).map(
            (c) => ({
              ...c,
              is_channel: true,
            }),
          ),
          response_metadata: { next_cursor: '' },
        });
        return;
      }
      case 'users.info': {
        const email = this.emails.get(String(body.user));
        if (!email) {
          json(200, { ok: false, error: 'user_not_found' });
          return;
        }
        json(200, { ok: true, user: { id: body.user, profile: { email } } });
        return;
      }
      default: {
        json(200, { ok: false, error: 'unknown_method' });
        return;
      }
    }
  }
}

export async function startFakeSlack(options: FakeSlackOptions): Promise<FakeSlack> {
  return new FakeSlack(options).start();
}
