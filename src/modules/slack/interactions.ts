// What Slack sends to Herald, each request signed with the app's signing secret: button clicks
// on approval messages (interactions) and `/herald ask …` (the slash command). The Slack user is
// matched to a Herald account by their email address, and acts with that account's role: an
// approval goes through the content workflow exactly as the dashboard's does (the same 409s).
import type { BreakerRegistry } from '../../platform/breaker.ts';
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, unauthenticated } from '../../platform/http/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { SecretBox } from '../../platform/secrets.ts';
import type { AgentService } from '../agents/index.ts';
import type { ContentService } from '../content/index.ts';
import type { SlackClient } from './client.ts';
import { APPROVE_ACTION, decidedMessage, REQUEST_CHANGES_ACTION } from './messages.ts';
import { createSlackRepository, type SlackConnectionRow } from './repository.ts';
import { verifySlackRequest } from './signature.ts';

export interface SignedRequest {
  rawBody: string;
  signature: string | undefined;
  timestamp: string | undefined;
}

export interface CommandReply {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const badRequest = (message: string) =>
  new AppError('VALIDATION_ERROR', message, {
    details: { issues: [{ path: 'body', message }] },
  });

export function createSlackInteractions(deps: {
  db: Database;
  client: SlackClient;
  secrets: SecretBox;
  breakers: BreakerRegistry;
  signingSecret: string | undefined;
  contents: Pick<ContentService, 'setStatus'>;
  agents: Pick<AgentService, 'createSession' | 'prepareTurn' | 'runTurn'>;
  logger: Logger;
  now: () => Date;
}) {
  const { client, secrets, logger } = deps;
  const repository = createSlackRepository(deps.db);
  /** Answers posted after the request was acknowledged; close() and tests wait for them. */
  const inFlight = new Set<Promise<void>>();

  function verified(request: SignedRequest): URLSearchParams {
    if (!deps.signingSecret) {
      // Nothing can be verified without the secret, so nothing is accepted.
      throw unauthenticated(
        'Slack requests cannot be verified here: SLACK_SIGNING_SECRET is not set',
      );
    }
    const check = verifySlackRequest({
      secret: deps.signingSecret,
      signature: request.signature,
      timestamp: request.timestamp,
      rawBody: request.rawBody,
      now: deps.now(),
    });
    if (!check.ok) {
      logger.warn({ reason: check.reason }, 'slack request refused');
      throw unauthenticated(`Slack request refused: ${check.reason}`);
    }
    return new URLSearchParams(request.rawBody);
  }

  /** The Herald account of a Slack user (by email, users.info), or a polite refusal. */
  async function principalOf(
    connection: SlackConnectionRow,
    slackUserId: string,
  ): Promise<Principal | string> {
    let email: string | null;
    try {
      email = await deps.breakers
        .get(client.hostOf())
        .execute(() => client.userEmail(secrets.decrypt(connection.credential), slackUserId));
    } catch (error) {
      logger.warn({ err: error, businessId: connection.businessId }, 'slack user not looked up');
      return 'Herald could not look up your Slack profile just now; please try again, or use the dashboard.';
    }
    const userId = email ? await repository.userIdByEmail(email) : undefined;
    if (!userId) {
      return 'Herald has no account with your Slack email address. Ask an owner to invite you to the business, then try again.';
    }
    return { userId, via: 'jwt', scopes: ['read', 'write'] };
  }

  async function reply(url: string | undefined, body: Record<string, unknown>): Promise<void> {
    if (!url) return;
    try {
      await client.postToUrl(url, body);
    } catch (error) {
      logger.warn({ err: error }, 'slack response_url not answered');
    }
  }

  function later(work: () => Promise<void>): void {
    const running = work()
      .catch((error: unknown) => {
        logger.error({ err: error }, 'slack background answer failed');
      })
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  }

  return {
    /** A click on Approve / Request changes. Slack only needs a 200; the message says the rest. */
    async interaction(request: SignedRequest): Promise<void> {
      const form = verified(request);
      let payload: Record<string, unknown>;
      try {
        payload = JSON.parse(form.get('payload') ?? '') as Record<string, unknown>;
      } catch {
        throw badRequest('payload is not JSON');
      }
      if (payload.type !== 'block_actions') return; // nothing else is offered
      const actions = (payload.actions ?? []) as { action_id?: string; value?: string }[];
      const action = actions[0];
      const approve = action?.action_id === APPROVE_ACTION;
      if (!action || (!approve && action.action_id !== REQUEST_CHANGES_ACTION)) return;
      const [businessId = '', contentId = ''] = (action.value ?? '').split(':');
      if (!UUID.test(businessId) || !UUID.test(contentId)) throw badRequest('unknown button value');
      const user = (payload.user ?? {}) as { id?: string };
      const team = (payload.team ?? {}) as { id?: string };
      const responseUrl =
        typeof payload.response_url === 'string' ? payload.response_url : undefined;
      const connection = await repository.connection(businessId);
      // A button is honoured only from the workspace the business installed the app in.
      if (!connection || connection.kind !== 'app' || connection.teamId !== team.id || !user.id) {
        await reply(responseUrl, {
          response_type: 'ephemeral',
          replace_original: false,
          text: 'This Slack workspace is not connected to that Herald business.',
        });
        return;
      }
      const principal = await principalOf(connection, user.id);
      if (typeof principal === 'string') {
        await reply(responseUrl, {
          response_type: 'ephemeral',
          replace_original: false,
          text: principal,
        });
        return;
      }
      let outcome: string;
      let keepButtons = false;
      try {
        await deps.contents.setStatus(
          principal,
          businessId,
          contentId,
          approve ? 'approved' : 'draft',
        );
        outcome = approve
          ? `:white_check_mark: Approved by <@${user.id}>`
          : `:leftwards_arrow_with_hook: <@${user.id}> requested changes: the piece is back in draft`;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const verb = approve ? 'approve' : 'send back';
        if (error.status === 409) {
          outcome = `:no_entry: <@${user.id}> could not ${verb} this piece: ${error.message}`;
        } else if (error.status === 404 && error.message.startsWith('Content')) {
          outcome = ':wastebasket: This piece no longer exists in Herald.';
        } else {
          // Not a member, or a role without approval: someone else may still decide.
          keepButtons = true;
          outcome =
            error.status === 403
              ? `:no_entry: <@${user.id}> may not ${verb} pieces in Herald (${error.message})`
              : `:no_entry: <@${user.id}> is not a member of this business in Herald`;
        }
      }
      const channel = (payload.channel ?? {}) as { id?: string };
      const message = (payload.message ?? {}) as {
        ts?: string;
        text?: string;
        blocks?: Record<string, unknown>[];
      };
      if (!channel.id || !message.ts) return;
      try {
        await deps.breakers.get(client.hostOf()).execute(() =>
          client.updateMessage(secrets.decrypt(connection.credential), {
            channel: channel.id,
            ts: message.ts,
            ...decidedMessage(message, outcome, keepButtons),
          }),
        );
      } catch (error) {
        logger.warn({ err: error, businessId }, 'slack approval message not updated');
      }
      logger.info(
        { businessId, contentId, approve, outcome: keepButtons ? 'refused' : 'decided' },
        'slack approval',
      );
    },

    /** `/herald ask …`: acknowledged at once, answered through the response_url. */
    async command(request: SignedRequest): Promise<CommandReply> {
      const form = verified(request);
      const text = (form.get('text') ?? '').trim();
      const match = /^ask\s+([\s\S]+)$/i.exec(text);
      if (!match?.[1]) {
        return {
          response_type: 'ephemeral',
          text: 'Try `/herald ask how did last week’s posts do?` — Herald’s agents answer here.',
        };
      }
      const question = match[1].trim().slice(0, 4000);
      const teamId = form.get('team_id') ?? '';
      const connections = (await repository.connectionsOfTeam(teamId)).filter(
        (c) => c.kind === 'app',
      );
      const connection =
        connections.find((c) => c.channelId === form.get('channel_id')) ?? connections[0];
      if (!connection) {
        return {
          response_type: 'ephemeral',
          text: 'This Slack workspace is not connected to Herald.',
        };
      }
      const principal = await principalOf(connection, form.get('user_id') ?? '');
      if (typeof principal === 'string') return { response_type: 'ephemeral', text: principal };
      const responseUrl = form.get('response_url') ?? undefined;
      const businessId = connection.businessId;
      later(async () => {
        let answer: string;
        try {
          const session = await deps.agents.createSession(principal, businessId, {
            title: `Slack: ${question.slice(0, 60)}`,
          });
          const prepared = await deps.agents.prepareTurn(principal, businessId, session.id);
          const message = await deps.agents.runTurn(principal, prepared, question, () => undefined);
          answer = message.content;
        } catch (error) {
          answer =
            error instanceof AppError
              ? `Herald’s agents could not answer: ${error.message}`
              : 'Herald’s agents could not answer just now.';
          if (!(error instanceof AppError))
            logger.error({ err: error, businessId }, 'slack ask failed');
        }
        await reply(responseUrl, {
          response_type: 'ephemeral',
          text: `*You asked:* ${question}\n\n${answer}`,
        });
      });
      return {
        response_type: 'ephemeral',
        text: ':hourglass_flowing_sand: Asking Herald’s agents…',
      };
    },

    /** Waits for the answers still being posted. */
    async settle(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

export type SlackInteractions = ReturnType<typeof createSlackInteractions>;
