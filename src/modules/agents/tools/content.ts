// Content tools: list and read pieces (their text clipped), write a draft with given text (the
// content module holds it to the platform's limits), approve, schedule, and start the AI jobs
// that write one piece or every unwritten piece of a campaign.
import { z } from 'zod';

import { AppError, type ErrorCode } from '../../../platform/http/errors.ts';
import { Platform } from '../../campaigns/index.ts';
import { type Content, ContentStatus, plainTextOf, ScheduleBody } from '../../content/index.ts';
import { type AgentTool, defineTool } from '../tool-registry.ts';
import type { AgentToolServices } from './services.ts';
import { clip, Limit, listSentence, shortId } from './shared.ts';

const ContentId = z.uuid().describe('The content piece id (from list_content)');

/** The platforms whose text is one field (a post, a caption) or an email's subject and body. */
const TEXT_PLATFORMS = ['linkedin', 'x', 'facebook', 'instagram', 'email'] as const;
const PLATFORM_NAMES: Record<string, string> = {
  linkedin: 'LinkedIn',
  x: 'X',
  facebook: 'Facebook',
  instagram: 'Instagram',
  email: 'email',
  blog: 'blog',
  search_ads: 'search ad',
};

const textOf = (piece: Content) =>
  piece.body ? plainTextOf(piece.platform as Platform, piece.body) : '';

/** What a piece is and where it stands. */
function pieceFields(piece: Content) {
  return {
    id: piece.id,
    campaignId: piece.campaignId,
    platform: piece.platform,
    contentType: piece.contentType,
    topic: piece.topic,
    status: piece.status,
    plannedDate: piece.plannedDate,
    publishAt: piece.publishAt,
  };
}

/** A piece in a list, with the start of its text. */
const pieceBrief = (piece: Content) => ({
  ...pieceFields(piece),
  preview: clip(textOf(piece), 160),
});

/** A piece read alone: its text up to ~500 characters and how long it really is. */
function pieceDetail(piece: Content) {
  const text = textOf(piece);
  return {
    ...pieceFields(piece),
    callToAction: piece.callToAction,
    channel: piece.channel,
    publishedAt: piece.publishedAt,
    currentVersion: piece.currentVersion,
    text: clip(text, 500),
    textLength: Array.from(text).length,
  };
}

/** The body the platform's schema expects, from the tool's plain fields. */
function bodyFor(
  platform: (typeof TEXT_PLATFORMS)[number],
  input: {
    text: string;
    topic: string;
    subject?: string | undefined;
    preheader?: string | undefined;
  },
): Record<string, unknown> {
  switch (platform) {
    case 'instagram':
      return { caption: input.text };
    case 'email':
      return {
        subject: input.subject ?? input.topic,
        preheader: input.preheader ?? '',
        body: input.text,
      };
    default:
      return { text: input.text };
  }
}

interface PieceList {
  content: ReturnType<typeof pieceBrief>[];
  more: boolean;
}

export function contentTools(services: Pick<AgentToolServices, 'contents'>): AgentTool[] {
  const { contents } = services;
  return [
    defineTool({
      name: 'list_content',
      description:
        'Lists content pieces (posts, emails, blog drafts), newest first: id, campaign, platform, topic, status, planned date, publish time and the start of the text.',
      input: z.object({
        campaignId: z.uuid().optional().describe('Only the pieces of this campaign'),
        status: ContentStatus.optional().describe(
          'Only pieces in this status: draft, in_review, approved, scheduled, published, failed, archived',
        ),
        platform: Platform.optional().describe('Only pieces for this platform'),
        limit: Limit,
      }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['content', 'post', 'posts', 'draft', 'drafts', 'scheduled', 'calendar'],
      async run(context, input): Promise<PieceList> {
        const page = await contents.list(context.principal, context.businessId, {
          limit: input.limit,
          ...(input.campaignId ? { campaignId: input.campaignId } : {}),
          ...(input.status ? { status: input.status } : {}),
          ...(input.platform ? { platform: input.platform } : {}),
        });
        return { content: page.items.map(pieceBrief), more: page.nextCursor !== null };
      },
      summarize(result, input) {
        const list = result as PieceList;
        return listSentence(
          list.content.map(
            (piece) =>
              `${PLATFORM_NAMES[piece.platform] ?? piece.platform} "${clip(piece.topic || piece.preview || 'untitled', 60)}" (${piece.status})`,
          ),
          'piece',
          { more: list.more, ...(input.status ? { qualifier: input.status } : {}) },
        );
      },
    }),

    defineTool({
      name: 'get_content',
      description:
        "One content piece: platform, topic, call to action, status, planned and publish times, channel, and its text (the first 500 characters; textLength gives the whole text's length).",
      input: z.object({ contentId: ContentId }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['piece', 'post text'],
      async run(context, input) {
        return pieceDetail(
          await contents.get(context.principal, context.businessId, input.contentId),
        );
      },
      summarize(result) {
        const piece = result as ReturnType<typeof pieceDetail>;
        return `The ${PLATFORM_NAMES[piece.platform] ?? piece.platform} piece "${clip(piece.topic || piece.text || 'untitled', 60)}" is ${piece.status.replace('_', ' ')}.`;
      },
    }),

    defineTool({
      name: 'draft_content',
      description:
        "Writes a content piece as a draft with the given text, optionally in a campaign. The text must fit the platform's limits (LinkedIn 3000 characters, X 280, Instagram caption 2200 with at most 30 hashtags, email subject and preheader 150 each); text over a limit is refused, never cut. An email needs a subject (the topic when left out) and a preheader. It is not published or scheduled: it waits for review.",
      input: z.object({
        campaignId: z.uuid().optional().describe('The campaign the piece belongs to, if any'),
        platform: z.enum(TEXT_PLATFORMS).describe('linkedin, x, facebook, instagram or email'),
        topic: z
          .string()
          .trim()
          .min(1)
          .max(300)
          .describe('What the piece is about, in a few words'),
        text: z
          .string()
          .trim()
          .min(1)
          .max(50_000)
          .describe(
            'The text as it will be published (the caption for Instagram, the body for email)',
          ),
        callToAction: z.string().trim().max(200).optional().describe('What the reader should do'),
        plannedDate: z.iso.date().optional().describe('The day it is planned for, YYYY-MM-DD'),
        subject: z.string().trim().max(150).optional().describe('Email only: the subject line'),
        preheader: z
          .string()
          .trim()
          .max(150)
          .optional()
          .describe('Email only: the preview line after the subject'),
      }),
      readOnly: false,
      permission: 'content.write',
      describe: (input) =>
        `Create a ${PLATFORM_NAMES[input.platform] ?? input.platform} draft "${clip(input.topic, 80)}"${input.campaignId ? ` in campaign ${shortId(input.campaignId)}` : ''}: "${clip(input.text, 120)}"`,
      async run(context, input) {
        const piece = await contents.create(context.principal, context.businessId, {
          campaignId: input.campaignId ?? null,
          platform: input.platform,
          contentType: input.platform === 'email' ? 'email' : 'post',
          topic: input.topic,
          callToAction: input.callToAction ?? '',
          plannedDate: input.plannedDate ?? null,
          body: bodyFor(input.platform, input),
        });
        return pieceDetail(piece);
      },
      summarize(result) {
        const piece = result as ReturnType<typeof pieceDetail>;
        return `Created the ${PLATFORM_NAMES[piece.platform] ?? piece.platform} draft "${clip(piece.topic, 60)}".`;
      },
    }),

    defineTool({
      name: 'approve_content',
      description:
        'Approves a piece that has text (a draft is submitted and approved in one step), so it can be scheduled. Needs the approve permission.',
      input: z.object({ contentId: ContentId }),
      readOnly: false,
      permission: 'content.approve',
      describe: (input) => `Approve content piece ${shortId(input.contentId)} for publishing.`,
      async run(context, input) {
        // The dashboard's approve (bulk, one id): one step from draft or in review, one transition.
        const [outcome] = (
          await contents.bulk(context.principal, context.businessId, {
            action: 'approve',
            ids: [input.contentId],
          })
        ).items;
        if (!outcome?.ok || !outcome.content) {
          const error = outcome?.error ?? {
            code: 'INTERNAL',
            message: 'The piece was not approved',
          };
          throw new AppError(error.code as ErrorCode, error.message);
        }
        return pieceDetail(outcome.content);
      },
      summarize: (result) =>
        `Approved "${clip((result as { topic: string }).topic || 'the piece', 60)}".`,
    }),

    defineTool({
      name: 'schedule_content',
      description:
        "Schedules an approved piece to publish at a time (through its channel, the outbox unless set otherwise). Only an approved piece (or a failed or already scheduled one) can be scheduled: approve it first. A time without an offset is read in the business's time zone.",
      input: z.object({
        contentId: ContentId,
        publishAt: ScheduleBody.shape.publishAt.describe(
          "When to publish: an ISO date-time such as 2026-03-02T09:30 (the business's time zone) or 2026-03-02T08:30:00Z",
        ),
      }),
      readOnly: false,
      permission: 'content.write',
      describe: (input) =>
        `Schedule content piece ${shortId(input.contentId)} to publish at ${input.publishAt}${/(Z|[+-]\d{2}:\d{2})$/.test(input.publishAt) ? '' : " (the business's time zone)"}.`,
      async run(context, input) {
        const piece = await contents.schedule(
          context.principal,
          context.businessId,
          input.contentId,
          {
            publishAt: input.publishAt,
          },
        );
        return pieceDetail(piece);
      },
      summarize(result) {
        const piece = result as ReturnType<typeof pieceDetail>;
        return `Scheduled "${clip(piece.topic || 'the piece', 60)}" for ${String(piece.publishAt)}.`;
      },
    }),

    defineTool({
      name: 'generate_content',
      description:
        "Starts the AI job that writes one piece's text for its platform in the brand voice (a new version; an approved or scheduled piece goes back to draft). Returns the job id; the job runs in the background.",
      input: z.object({
        contentId: ContentId,
        notes: z.string().trim().max(2000).optional().describe('Hints for the writer'),
      }),
      readOnly: false,
      permission: 'content.write',
      describe: (input) =>
        `Start the AI job that writes content piece ${shortId(input.contentId)}${input.notes ? ` (notes: ${clip(input.notes, 120)})` : ''}.`,
      async run(context, input) {
        const job = await contents.startGeneration(
          context.principal,
          context.businessId,
          input.contentId,
          input.notes ? { notes: input.notes } : {},
        );
        return { jobId: job.id, status: job.status };
      },
      summarize: (result) =>
        `Started the writing job ${(result as { jobId: string }).jobId}; it runs in the background.`,
    }),

    defineTool({
      name: 'generate_campaign_content',
      description:
        "Starts the AI job that writes every piece of the campaign's calendar that has no text yet (or returns the one already doing it). Returns the job id; the job runs in the background.",
      input: z.object({ campaignId: z.uuid().describe('The campaign id (from list_campaigns)') }),
      readOnly: false,
      permission: 'content.write',
      describe: (input) =>
        `Start the AI job that writes every unwritten piece of campaign ${shortId(input.campaignId)}.`,
      async run(context, input) {
        const job = await contents.startWriteAll(
          context.principal,
          context.businessId,
          input.campaignId,
        );
        return { jobId: job.id, status: job.status };
      },
      summarize: (result) =>
        `Started the writing job ${(result as { jobId: string }).jobId}; it runs in the background.`,
    }),
  ];
}
