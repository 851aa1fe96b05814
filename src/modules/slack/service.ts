// The Slack connection of a business: install the app (OAuth v2, the state bound to the
// business and the user who started it) or paste an incoming-webhook URL, choose the channel and
// the notifications, disconnect. The token or URL is stored encrypted and never shown again.
import { randomBytes } from 'node:crypto';

import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, conflict } from '../../platform/http/errors.ts';
import { literalHostRefusal } from '../../platform/http/outbound.ts';
import type { Logger } from '../../platform/logger.ts';
import type { SecretBox } from '../../platform/secrets.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import { SlackCallError, type SlackClient } from './client.ts';
import { createSlackRepository, type SlackConnectionRow } from './repository.ts';
import {
  DEFAULT_CHOICES,
  type SlackConnection,
  type SlackSettingsBody,
  type SlackWebhookBody,
} from './schemas.ts';
import { signState, verifyState } from './signature.ts';

/** What the app asks for: post, update its posts, read channels, find a user's email, /herald. */
export const BOT_SCOPES = [
  'chat:write',
  'channels:read',
  'groups:read',
  'users:read',
  'users:read.email',
  'commands',
  'incoming-webhook',
];

const STATE_TTL_SECONDS = 15 * 60;

export interface SlackSettingsDeps {
  db: Database;
  access: BusinessAccess;
  client: SlackClient;
  secrets: SecretBox;
  /** Signs the OAuth state. */
  stateKey: string;
  apiUrl: string;
  clientId: string | undefined;
  clientSecret: string | undefined;
  publicUrl: string;
  /** Accept incoming-webhook URLs on private addresses (PUBLISH_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivateTargets: boolean;
  logger: Logger;
  now: () => Date;
}

export function toConnection(row: SlackConnectionRow): SlackConnection {
  return {
    kind: row.kind,
    teamId: row.teamId,
    teamName: row.teamName,
    channelId: row.channelId,
    channelName: row.channelName,
    notifications: { ...DEFAULT_CHOICES, ...row.notifications },
    bounceRateThreshold: row.bounceRateThreshold,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function createSlackSettingsService(deps: SlackSettingsDeps) {
  const { access, client, secrets } = deps;
  const repository = createSlackRepository(deps.db);
  const redirectUri = `${deps.publicUrl}/api/v1/slack/oauth/callback`;
  const dashboard = (businessId: string, outcome: string) =>
    `${deps.publicUrl}/businesses/${businessId}/integrations?slack=${encodeURIComponent(outcome)}`;

  return {
    async settings(principal: Principal, businessId: string) {
      await access.require(principal, businessId, 'business.read');
      const row = await repository.connection(businessId);
      return {
        connection: row ? toConnection(row) : null,
        installAvailable: Boolean(deps.clientId && deps.clientSecret),
      };
    },

    /**
     * Slack's consent page for this business; the state comes back to the callback. The nonce
     * goes into a cookie of this browser: the callback accepts the state only from it, so nobody
     * can have a victim's browser finish an install the attacker started (OAuth login CSRF).
     */
    async installUrl(
      principal: Principal,
      businessId: string,
    ): Promise<{ url: string; nonce: string }> {
      await access.require(principal, businessId, 'business.manage');
      if (!deps.clientId || !deps.clientSecret) {
        throw conflict(
          'This Herald has no Slack app configured (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET); connect an incoming webhook instead',
        );
      }
      const nonce = randomBytes(18).toString('base64url');
      const state = signState(deps.stateKey, {
        businessId,
        userId: principal.userId,
        nonce,
        expiresAt: Math.floor(deps.now().getTime() / 1000) + STATE_TTL_SECONDS,
      });
      const url = new URL(`${deps.apiUrl}/oauth/v2/authorize`);
      url.searchParams.set('client_id', deps.clientId);
      url.searchParams.set('scope', BOT_SCOPES.join(','));
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      return { url: url.toString(), nonce };
    },

    /**
     * Slack's redirect after consent: exchanges the code for the bot token and stores it. Answers
     * the dashboard URL to send the browser to (with `?slack=connected` or the reason it failed).
     */
    async completeInstall(
      query: { code?: string; state?: string; error?: string },
      browserNonce: string | undefined,
    ) {
      const state = query.state ? verifyState(deps.stateKey, query.state, deps.now()) : undefined;
      if (!state || state.nonce !== browserNonce) {
        throw new AppError(
          'VALIDATION_ERROR',
          'The Slack install link is invalid, has expired or was started in another browser; start again from Herald',
          {
            details: { issues: [{ path: 'state', message: 'invalid or expired' }] },
          },
        );
      }
      // The user who started the install must still be allowed to manage the business.
      const principal: Principal = { userId: state.userId, via: 'jwt', scopes: ['read', 'write'] };
      await access.require(principal, state.businessId, 'business.manage');
      if (query.error || !query.code) {
        return dashboard(state.businessId, query.error === 'access_denied' ? 'cancelled' : 'error');
      }
      let granted;
      try {
        granted = await client.oauthAccess(query.code, redirectUri);
      } catch (error) {
        deps.logger.warn({ err: error, businessId: state.businessId }, 'slack install failed');
        const code = error instanceof SlackCallError ? error.code : 'error';
        return dashboard(state.businessId, `error:${code}`);
      }
      const previous = await repository.connection(state.businessId);
      await repository.saveConnection({
        businessId: state.businessId,
        kind: 'app',
        teamId: granted.teamId,
        teamName: granted.teamName,
        credential: secrets.encrypt(granted.accessToken),
        channelId: granted.channelId ?? previous?.channelId ?? null,
        channelName: granted.channelName ?? previous?.channelName ?? null,
        notifications: previous?.notifications ?? DEFAULT_CHOICES,
        bounceRateThreshold: previous?.bounceRateThreshold ?? 0.05,
        installedBy: state.userId,
      });
      deps.logger.info(
        { businessId: state.businessId, teamId: granted.teamId },
        'slack app installed',
      );
      return dashboard(state.businessId, 'connected');
    },

    /** Notifications only, through an incoming webhook (no approvals, no /herald). */
    async connectWebhook(principal: Principal, businessId: string, body: SlackWebhookBody) {
      await access.require(principal, businessId, 'business.manage');
      // Refused now rather than at the first post: a private or loopback address (SSRF).
      const refusal = literalHostRefusal(
        new URL(body.url),
        deps.allowPrivateTargets,
        'PUBLISH_WEBHOOK_ALLOW_PRIVATE',
      );
      if (refusal) {
        throw new AppError('VALIDATION_ERROR', `The webhook URL is refused: ${refusal.message}`, {
          details: { issues: [{ path: 'url', message: refusal.message }] },
        });
      }
      const previous = await repository.connection(businessId);
      const row = await repository.saveConnection({
        businessId,
        kind: 'webhook',
        teamId: null,
        teamName: null,
        credential: secrets.encrypt(body.url),
        channelId: null,
        channelName: body.channelName ?? null,
        notifications: previous?.notifications ?? DEFAULT_CHOICES,
        bounceRateThreshold: previous?.bounceRateThreshold ?? 0.05,
        installedBy: principal.userId,
      });
      return toConnection(row);
    },

    async update(principal: Principal, businessId: string, body: SlackSettingsBody) {
      await access.require(principal, businessId, 'business.manage');
      const row = await repository.connection(businessId);
      if (!row) throw conflict('Connect Slack first: there are no settings to change yet');
      const updated = await repository.updateConnection(businessId, {
        ...(body.channelId !== undefined ? { channelId: body.channelId } : {}),
        ...(body.channelName !== undefined ? { channelName: body.channelName } : {}),
        ...(body.notifications
          ? { notifications: { ...DEFAULT_CHOICES, ...row.notifications, ...body.notifications } }
          : {}),
        ...(body.bounceRateThreshold !== undefined
          ? { bounceRateThreshold: body.bounceRateThreshold }
          : {}),
      });
      return toConnection(updated ?? row);
    },

    /** Idempotent: disconnecting a business that is not connected changes nothing. */
    async disconnect(principal: Principal, businessId: string): Promise<void> {
      await access.require(principal, businessId, 'business.manage');
      await repository.deleteConnection(businessId);
    },

    /** The workspace's channels the bot can see, to pick the notifications channel from. */
    async channels(principal: Principal, businessId: string) {
      await access.require(principal, businessId, 'business.manage');
      // Without the app there is nothing to pick from (an incoming webhook has its own channel).
      const row = await repository.connection(businessId);
      if (row?.kind !== 'app') return { items: [] };
      try {
        return { items: await client.listChannels(secrets.decrypt(row.credential)) };
      } catch (error) {
        if (error instanceof SlackCallError) {
          throw new AppError(
            'UPSTREAM_UNAVAILABLE',
            `Slack did not list the channels: ${error.code}`,
          );
        }
        throw error;
      }
    },
  };
}

export type SlackSettingsService = ReturnType<typeof createSlackSettingsService>;
