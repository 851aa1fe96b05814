// The Slack app's routes: a business's connection (…/businesses/{id}/slack: settings, install,
// incoming webhook, channels, disconnect), the OAuth callback Slack redirects to, and the two
// endpoints Slack calls, signed (interactions, slash commands): their raw form body is kept as
// it came, because the signature is computed over those exact bytes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { principalOf } from '../../platform/http/auth-guard.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import type { App } from '../../platform/http/types.ts';
import { BusinessParams } from '../businesses/index.ts';
import type { SignedRequest, SlackInteractions } from './interactions.ts';
import {
  OAuthCallbackQuery,
  SlackChannels,
  SlackConnection,
  SlackInstall,
  SlackSettings,
  SlackSettingsBody,
  SlackWebhookBody,
} from './schemas.ts';
import type { SlackSettingsService } from './service.ts';

const base = '/api/v1/businesses/:businessId/slack';
const publicConfig = { auth: 'public' as const, permission: 'public' as const };
/** Slack's requests are small; a larger one is not Slack's. */
const SLACK_BODY_LIMIT = 64 * 1024;
/** Signed form bodies are checked in the service, over the raw text. */
const passThrough = () => (data: unknown) => ({ value: data });

const CommandReply = z
  .object({ response_type: z.enum(['ephemeral', 'in_channel']), text: z.string() })
  .meta({ id: 'SlackCommandReply' });

function signedRequest(request: FastifyRequest): SignedRequest {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    rawBody: typeof request.body === 'string' ? request.body : '',
    signature: header('x-slack-signature'),
    timestamp: header('x-slack-request-timestamp'),
  };
}

const INSTALL_COOKIE = 'herald_slack_install';
const CALLBACK_PATH = '/api/v1/slack/oauth/callback';
const STATE_MAX_AGE_SECONDS = 15 * 60;

/** Sent back only to the callback, and on Slack's top-level redirect (SameSite=Lax). */
function installCookie(nonce: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${INSTALL_COOKIE}=${nonce}`,
    `Path=${CALLBACK_PATH}`,
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

function installNonceOf(request: FastifyRequest): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === INSTALL_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}

export async function slackRoutes(
  app: App,
  deps: {
    settings: SlackSettingsService;
    interactions: SlackInteractions;
    /** PUBLIC_URL is https: the install cookie is Secure. */
    secureCookies: boolean;
  },
): Promise<void> {
  const { settings } = deps;

  app.get(
    base,
    {
      config: { permission: 'business.read' },
      schema: {
        tags: ['slack'],
        summary: "The business's Slack connection and notification choices",
        params: BusinessParams,
        response: { 200: SlackSettings, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) => settings.settings(principalOf(request), request.params.businessId),
  );

  app.patch(
    base,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['slack'],
        summary: 'Choose the channel, the notifications and the bounce-rate threshold',
        description:
          'Only the fields sent change. `bounceRateThreshold` is a fraction (0.05 = 5 %): a sequence step whose bounce rate reaches it is posted when `notifications.bounces` is on.',
        params: BusinessParams,
        body: SlackSettingsBody,
        response: { 200: SlackConnection, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) =>
      settings.update(principalOf(request), request.params.businessId, request.body),
  );

  app.delete(
    base,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['slack'],
        summary: 'Disconnect Slack: the token is forgotten and nothing more is posted',
        description: 'Idempotent: 204 also when the business was not connected.',
        params: BusinessParams,
        response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await settings.disconnect(principalOf(request), request.params.businessId);
      return reply.status(204).send();
    },
  );

  app.post(
    `${base}/install`,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['slack'],
        summary: "The URL of Slack's consent page to install Herald's app for this business",
        description:
          'The state in the URL binds the install to this business, to you and to this browser (a cookie sent back only to the callback) for 15 minutes. 409 when this Herald has no Slack app configured.',
        params: BusinessParams,
        response: { 200: SlackInstall, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const { url, nonce } = await settings.installUrl(
        principalOf(request),
        request.params.businessId,
      );
      void reply.header(
        'set-cookie',
        installCookie(nonce, STATE_MAX_AGE_SECONDS, deps.secureCookies),
      );
      return { url };
    },
  );

  app.put(
    `${base}/webhook`,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['slack'],
        summary: 'Connect an incoming-webhook URL (notifications only, no approvals)',
        params: BusinessParams,
        body: SlackWebhookBody,
        response: { 200: SlackConnection, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) =>
      settings.connectWebhook(principalOf(request), request.params.businessId, request.body),
  );

  app.get(
    `${base}/channels`,
    {
      config: { permission: 'business.manage' },
      schema: {
        tags: ['slack'],
        summary: 'The channels the installed app can see, to pick one for notifications',
        description:
          'Empty when the app is not installed (an incoming webhook has its own channel).',
        params: BusinessParams,
        response: { 200: SlackChannels, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => settings.channels(principalOf(request), request.params.businessId),
  );

  app.get(
    CALLBACK_PATH,
    {
      config: publicConfig,
      schema: {
        tags: ['slack'],
        summary: 'Where Slack sends the browser after consent (redirects to the dashboard)',
        querystring: OAuthCallbackQuery,
        response: { 302: z.undefined(), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const landing = await settings.completeInstall(request.query, installNonceOf(request));
      void reply.header('set-cookie', installCookie('', 0, deps.secureCookies));
      return reply.redirect(landing, 302);
    },
  );

  await app.register((scope: FastifyInstance, _options, done) => {
    const typed = scope as unknown as App;
    // Slack posts forms; the body stays a string so its signature can be checked.
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: SLACK_BODY_LIMIT },
      (_request, body, next) => {
        next(null, body);
      },
    );
    typed.post(
      '/api/v1/slack/interactions',
      {
        config: publicConfig,
        bodyLimit: SLACK_BODY_LIMIT,
        validatorCompiler: passThrough,
        schema: {
          tags: ['slack'],
          summary: 'Slack interactions (Approve / Request changes), signed by Slack',
          description:
            'Slack’s form post (`payload=<json>`), signed: `X-Slack-Signature` = v0=HMAC-SHA256(signing secret, "v0:" + `X-Slack-Request-Timestamp` + ":" + body), the timestamp within 5 minutes; else 401 and nothing changes.',
          response: { 200: z.undefined(), ...errorResponses(400, 401, 413, 429) },
        },
      },
      async (request, reply) => {
        await deps.interactions.interaction(signedRequest(request));
        return reply.status(200).send();
      },
    );
    typed.post(
      '/api/v1/slack/commands',
      {
        config: publicConfig,
        bodyLimit: SLACK_BODY_LIMIT,
        validatorCompiler: passThrough,
        schema: {
          tags: ['slack'],
          summary: 'The `/herald` slash command (`/herald ask …`), signed by Slack',
          description:
            'Answers at once that the question is being asked; the agents’ answer is posted to the command’s response_url. Signed as the interactions are.',
          response: { 200: CommandReply, ...errorResponses(400, 401, 413, 429) },
        },
      },
      async (request) => deps.interactions.command(signedRequest(request)),
    );
    done();
  });
}
