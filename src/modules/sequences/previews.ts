// What an author sees before a step goes out: the editor's live preview of unsaved templates (HTML
// or Markdown) and a test send of a saved step, each rendered for a sample subscriber or a chosen
// one.
import { randomUUID } from 'node:crypto';

import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError, found } from '../../platform/http/errors.ts';
import type { Mailer } from '../../platform/mailer.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import { createEmailAudience } from '../subscribers/index.ts';
import type { OwnedSequence } from './owned-sequence.ts';
import type { SequenceRepository } from './repository.ts';
import {
  assertValidTemplates,
  htmlOfMarkdown,
  type RenderContext,
  renderForAuthor,
  SAMPLE_SUBSCRIBER,
} from './templates.ts';
import type { TrackingLinks } from './tracking.ts';

export function createPreviews(deps: {
  db: Database;
  access: BusinessAccess;
  repository: SequenceRepository;
  ownedSequence: OwnedSequence;
  mailer: Mailer;
  tracking: TrackingLinks;
  defaultFrom: string;
  messageIdDomain: string;
}) {
  const { access, repository } = deps;
  const audience = createEmailAudience(deps.db);

  async function contextFor(
    businessId: string,
    subscriberId: string | undefined,
    businessName: string,
  ): Promise<RenderContext> {
    let subscriber = SAMPLE_SUBSCRIBER;
    if (subscriberId) {
      const chosen = found(await audience.personalisation(businessId, subscriberId), 'Subscriber');
      subscriber = chosen;
    }
    return {
      subscriber,
      business: { name: businessName },
      unsubscribeUrl: deps.tracking.unsubscribeUrl('preview'),
    };
  }

  return {
    /** Renders unsaved templates for the editor's live preview (template errors are 400s). */
    async preview(
      principal: Principal,
      businessId: string,
      body: {
        subject: string;
        preheader: string;
        html: string;
        markdown?: string | undefined;
        text: string;
        subscriberId?: string | undefined;
      },
    ) {
      const business = await access.load(principal, businessId, 'business.read');
      const markdownHtml = body.markdown === undefined ? null : htmlOfMarkdown(body.markdown);
      const templates = { ...body, html: markdownHtml ?? body.html };
      assertValidTemplates(templates, body.markdown);
      const context = await contextFor(businessId, body.subscriberId, business.name);
      return { ...renderForAuthor(templates, context), markdownHtml };
    },

    /**
     * Sends one step now, marked as a test, to the signed-in user or the business's team (never
     * a stranger: see BusinessAccess.mayReceiveTestSends); nothing is recorded as a delivery.
     */
    async sendTest(
      principal: Principal,
      businessId: string,
      sequenceId: string,
      stepId: string,
      body: { to: string; subscriberId?: string | undefined },
    ) {
      const business = await access.load(principal, businessId, 'content.write');
      await deps.ownedSequence(principal, businessId, sequenceId, 'content.write');
      if (!(await access.mayReceiveTestSends(principal, business, body.to))) {
        const message =
          "Test sends go to your own address or your business's team, not to other addresses";
        throw new AppError('VALIDATION_ERROR', message, {
          details: { issues: [{ path: 'body.to', message }] },
        });
      }
      const step = found(await repository.findStep(sequenceId, stepId), 'Step');
      if (step.kind === 'wait_for_event') {
        throw new AppError('VALIDATION_ERROR', 'A "wait for event" step sends no email');
      }
      const context = await contextFor(businessId, body.subscriberId, business.name);
      // A step saved before the sandbox may not render: a 400 naming the part, never a 500.
      const rendered = renderForAuthor(step, context, 'step');
      const sender = business.defaultSender;
      const result = await deps.mailer.send({
        messageId: `<test-${randomUUID()}@${deps.messageIdDomain}>`,
        from: sender ? { name: sender.name, address: sender.email } : deps.defaultFrom,
        replyTo: sender?.replyTo,
        to: body.to,
        subject: `[Test] ${rendered.subject}`,
        html: rendered.html,
        text: rendered.text,
        owner: businessId,
      });
      return {
        messageId: result.messageId,
        outboxMessageId:
          deps.mailer.kind === 'outbox' ? result.response.replace(/^outbox /, '') : null,
      };
    },
  };
}
