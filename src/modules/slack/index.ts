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
import { createSlackRepository } from './repository.ts';
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
  /** Keys that sealed credentials before ENCRYPTION_KEY changed (ENCRYPTION_KEY_PREVIOUS). */
  previousEncryptionKeys?: readonly string[];
  publicUrl: string;
  timeoutMs: number;
  allowPrivateTargets: boolean;
  /** How often the outbox is looked at (ms). */
  intervalMs?: number;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  const secrets = createSecretBox(deps.encryptionKey, deps.previousEncryptionKeys);
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
  const repository = createSlackRepository(deps.db);

  /**
   * Re-seals with the current key every credential a previous key sealed (after ENCRYPTION_KEY
   * changed, with the old one in ENCRYPTION_KEY_PREVIOUS); answers how many it re-sealed.
   * One no key opens is left as it is and logged: that business reconnects Slack.
   */
  async function resealCredentials(): Promise<number> {
    let resealed = 0;
    for (const row of await repository.credentials()) {
      if (!secrets.sealedWithOldKey(row.credential)) continue;
      let plaintext: string;
      try {
        plaintext = secrets.decrypt(row.credential);
      } catch {
        deps.logger.warn(
          { businessId: row.businessId },
          'a Slack credential no configured key opens: the business must reconnect Slack',
        );
        continue;
      }
      await repository.replaceCredential(
        row.businessId,
        row.credential,
        secrets.encrypt(plaintext),
      );
      resealed += 1;
    }
    if (resealed > 0)
      deps.logger.info({ resealed }, 'Slack credentials re-sealed with the current key');
    return resealed;
  }

  return { settings, outbox, interactions, loop, resealCredentials };
}

export type Slack = ReturnType<typeof createSlack>;
