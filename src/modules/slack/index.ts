// The Slack app of a business: its connection and settings, the listener that turns Herald's
// events into messages, the loop that posts them, and what Slack sends back (approvals, /herald).
import { pollingLoop } from '../../platform/background-loop.ts';
import type { BreakerRegistry } from '../../platform/breaker.ts';
import type { Database } from '../../platform/db/client.ts';
import type { Logger } from '../../platform/logger.ts';
import type { BackgroundLoop } from '../../platform/queue.ts';
import { createSecretBox } from '../../platform/secrets.ts';
import type { AgentService } from '../agents/index.ts';
import type { ContentService } from '../content/index.ts';
import { createSlackClient } from './client.ts';
import { createSlackInteractions } from './interactions.ts';
import { createSlackOutbox } from './outbox.ts';
import { createSlackSettingsService } from './service.ts';

export { createSlackListener } from './outbox.ts';
export { slackRoutes } from './routes.ts';

export interface SlackConfig {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  signingSecret?: string | undefined;
  apiUrl: string;
}

export function createSlack(deps: {
  db: Database;
  access: Parameters<typeof createSlackSettingsService>[0]['access'];
  contents: Pick<ContentService, 'setStatus'>;
  agents: Pick<AgentService, 'createSession' | 'prepareTurn' | 'runTurn'>;
  breakers: BreakerRegistry;
  logger: Logger;
  slack: SlackConfig;
  encryptionKey: string;
  publicUrl: string;
  timeoutMs: number;
  allowPrivateTargets: boolean;
  /** How often the outbox is looked at (ms). */
  intervalMs?: number;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  const secrets = createSecretBox(deps.encryptionKey);
  const client = createSlackClient({
    apiUrl: deps.slack.apiUrl,
    clientId: deps.slack.clientId,
    clientSecret: deps.slack.clientSecret,
    timeoutMs: deps.timeoutMs,
    allowPrivateTargets: deps.allowPrivateTargets,
  });
  const settings = createSlackSettingsService({
    db: deps.db,
    access: deps.access,
    client,
    secrets,
    stateKey: `slack-oauth-state:${deps.encryptionKey}`,
    apiUrl: deps.slack.apiUrl,
    clientId: deps.slack.clientId,
    clientSecret: deps.slack.clientSecret,
    publicUrl: deps.publicUrl,
    allowPrivateTargets: deps.allowPrivateTargets,
    logger: deps.logger,
    now,
  });
  const outbox = createSlackOutbox({
    db: deps.db,
    client,
    secrets,
    breakers: deps.breakers,
    logger: deps.logger,
    now,
  });
  const interactions = createSlackInteractions({
    db: deps.db,
    client,
    secrets,
    breakers: deps.breakers,
    signingSecret: deps.slack.signingSecret,
    contents: deps.contents,
    agents: deps.agents,
    logger: deps.logger,
    now,
  });
  const loop: BackgroundLoop = pollingLoop({
    name: 'slack-outbox',
    round: () => outbox.deliverDue(),
    intervalMs: deps.intervalMs ?? 2000,
    logger: deps.logger,
    failureMessage: 'slack outbox round failed',
  });
  return { settings, outbox, interactions, loop };
}

export type Slack = ReturnType<typeof createSlack>;
