// The Slack connection as the API shows it (never its token or webhook URL), and what a manager
// may change: the channel, which notifications are posted, the bounce-rate threshold.
import { z } from 'zod';

export const SlackNotificationChoices = z
  .object({
    jobs: z.boolean().describe('A job finished or failed'),
    publishing: z.boolean().describe('A piece was published or failed to publish'),
    bounces: z.boolean().describe("A sequence step's bounce rate reached the threshold"),
    budget: z.boolean().describe('The AI budget reached 80 % and 100 % for the month'),
    approvals: z
      .boolean()
      .describe('A piece in review: a message with Approve / Request changes buttons (app only)'),
  })
  .meta({ id: 'SlackNotificationChoices' });

export const DEFAULT_CHOICES: z.infer<typeof SlackNotificationChoices> = {
  jobs: false,
  publishing: true,
  bounces: true,
  budget: true,
  approvals: true,
};

export const SlackConnection = z
  .object({
    kind: z
      .enum(['app', 'webhook'])
      .describe('app: installed (OAuth); webhook: notifications only'),
    teamId: z.string().nullable(),
    teamName: z.string().nullable(),
    channelId: z.string().nullable(),
    channelName: z.string().nullable(),
    notifications: SlackNotificationChoices,
    bounceRateThreshold: z.number(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'SlackConnection' });
export type SlackConnection = z.infer<typeof SlackConnection>;

export const SlackSettings = z
  .object({
    connection: SlackConnection.nullable(),
    installAvailable: z
      .boolean()
      .describe('Whether this Herald has a Slack app configured (SLACK_CLIENT_ID / SECRET)'),
  })
  .meta({ id: 'SlackSettings' });

export const SlackInstall = z
  .object({ url: z.url().describe("Slack's consent page; open it in the browser") })
  .meta({ id: 'SlackInstall' });

export const SlackWebhookBody = z.object({
  url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .describe('An incoming-webhook URL (https://hooks.slack.com/services/…)'),
  channelName: z.string().trim().min(1).max(80).optional(),
});
export type SlackWebhookBody = z.infer<typeof SlackWebhookBody>;

export const SlackSettingsBody = z
  .object({
    channelId: z.string().trim().min(1).max(40).optional(),
    channelName: z.string().trim().min(1).max(80).optional(),
    notifications: SlackNotificationChoices.partial().optional(),
    bounceRateThreshold: z.number().gt(0).max(1).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, {
    message: 'Nothing to change',
  });
export type SlackSettingsBody = z.infer<typeof SlackSettingsBody>;

export const SlackChannels = z
  .object({ items: z.array(z.object({ id: z.string(), name: z.string() })) })
  .meta({ id: 'SlackChannels' });

export const OAuthCallbackQuery = z.object({
  code: z.string().max(500).optional(),
  state: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
});
