// What other modules (and the composition root) may use of sequences: the listeners that let
// customer data enroll subscribers, end enrollments and resolve waits; the Liquid sandbox's
// checks and rendering of email templates, Markdown bodies, the signed links Herald writes into
// emails, and the public pages.
export { type EmailFact, heraldEmailEvent, publishEmailEvents } from './email-events.ts';
export {
  applyDeliveryFeedback,
  applySequenceFeedback,
  type DeliveryFeedback,
  findSequenceDelivery,
} from './feedback.ts';
export { isTimeLimit, RENDER_TRIES, TemplateRenderError } from './liquid-sandbox.ts';
export { emailPage } from './public-routes.ts';
export { CreateSequenceBody, SequenceStatus } from './schemas.ts';
export {
  addTracking,
  assertValidTemplates,
  checkTemplates,
  type CompiledStep,
  compileStep,
  escapeHtml,
  htmlOfMarkdown,
  htmlToText,
  type RenderContext,
  type RenderedEmail,
  renderForAuthor,
  renderStep,
  SAMPLE_SUBSCRIBER,
  type StepTemplates,
  type TemplateProblem,
  templateValidationError,
} from './templates.ts';
/** The service, for the agents' tools (they call it as the routes do). */
export type { SequenceService } from './service.ts';
export type { TrackingLinks } from './tracking.ts';
export { createSequenceTriggers, type SequenceTriggers } from './triggers.ts';
