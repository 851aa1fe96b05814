// Email sequence tools: list sequences, read one with each step's figures (sent, opened, clicked,
// rates), create a draft sequence from written steps, and start the AI job that drafts one.
import { z } from 'zod';

import {
  CreateSequenceBody,
  htmlToText,
  type SequenceService,
  SequenceStatus,
} from '../../sequences/index.ts';
import { type AgentTool, defineTool } from '../tool-registry.ts';
import type { AgentToolServices } from './services.ts';
import { clip, count, Limit, listSentence, percent } from './shared.ts';

/** The analytics' daily series is not returned: the shortest one is read. */
const SERIES_DAYS = 1;

type SequenceSummary = Awaited<ReturnType<SequenceService['list']>>['items'][number];
type Sequence = Awaited<ReturnType<SequenceService['get']>>;

const sequenceBrief = (sequence: SequenceSummary) => ({
  id: sequence.id,
  name: sequence.name,
  status: sequence.status,
  trigger: sequence.trigger.type,
  stepCount: sequence.stepCount,
  enrolled: sequence.enrolled,
  updatedAt: sequence.updatedAt,
});

interface SequenceList {
  sequences: ReturnType<typeof sequenceBrief>[];
  more: boolean;
}

const delayText = (delay: { value: number; unit: string }) =>
  delay.value === 0 ? 'at once' : `${String(delay.value)} ${delay.unit}`;

export function sequenceTools(services: Pick<AgentToolServices, 'sequences'>): AgentTool[] {
  const { sequences } = services;
  return [
    defineTool({
      name: 'list_sequences',
      description:
        'Lists the email sequences (automated series of emails), newest first: id, name, status, trigger type, number of steps and of enrolled subscribers.',
      input: z.object({
        status: SequenceStatus.optional().describe(
          'Only sequences in this status: draft, active, paused, archived',
        ),
        limit: Limit,
      }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['sequence', 'sequences', 'drip', 'email series', 'automation', 'nurture'],
      async run(context, input): Promise<SequenceList> {
        const page = await sequences.list(context.principal, context.businessId, {
          limit: input.limit,
          ...(input.status ? { status: input.status } : {}),
        });
        return { sequences: page.items.map(sequenceBrief), more: page.nextCursor !== null };
      },
      summarize(result, input) {
        const list = result as SequenceList;
        return listSentence(
          list.sequences.map((sequence) => `${sequence.name} (${sequence.status})`),
          'sequence',
          { more: list.more, ...(input.status ? { qualifier: input.status } : {}) },
        );
      },
    }),

    defineTool({
      name: 'get_sequence',
      description:
        'One email sequence: its status, trigger and enrollment counts, its totals, and each step in order (delay, subject, the start of the text) with its figures since it was made: sent, delivered, opened, clicked, unsubscribed, bounced, open rate, click rate (over delivered), and the last sending error if any.',
      input: z.object({ sequenceId: z.uuid().describe('The sequence id (from list_sequences)') }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['open rate', 'click rate', 'sequence steps'],
      async run(context, input) {
        const sequence: Sequence = await sequences.get(
          context.principal,
          context.businessId,
          input.sequenceId,
        );
        const figures = await sequences.analytics(
          context.principal,
          context.businessId,
          input.sequenceId,
          SERIES_DAYS,
        );
        const byStep = new Map(figures.steps.map((step) => [step.stepId, step]));
        return {
          id: sequence.id,
          name: sequence.name,
          status: sequence.status,
          trigger: sequence.trigger,
          exitEvent: sequence.exitEvent,
          enrolled: figures.enrolled,
          active: figures.active,
          completed: figures.completed,
          totals: figures.totals,
          steps: sequence.steps.map((step) => {
            const counts = byStep.get(step.id);
            return {
              id: step.id,
              position: step.position,
              kind: step.kind,
              delay: delayText(step.delay),
              subject: step.subject,
              preview: clip(step.markdown ?? htmlToText(step.html), 200),
              abTest: step.variants ? step.variants.length : 0,
              sent: counts?.sent ?? 0,
              delivered: counts?.delivered ?? 0,
              opened: counts?.opened ?? 0,
              clicked: counts?.clicked ?? 0,
              unsubscribed: counts?.unsubscribed ?? 0,
              bounced: counts?.bounced ?? 0,
              openRate: counts?.openRate ?? 0,
              clickRate: counts?.clickRate ?? 0,
              lastError: counts?.lastError ?? null,
            };
          }),
        };
      },
      summarize(result) {
        const sequence = result as {
          name: string;
          status: string;
          steps: unknown[];
          totals: { sent: number; openRate: number; clickRate: number };
        };
        return `Sequence ${sequence.name} is ${sequence.status} with ${count(sequence.steps.length, 'step')}; ${count(sequence.totals.sent, 'email')} sent, open rate ${percent(sequence.totals.openRate)}, click rate ${percent(sequence.totals.clickRate)}.`;
      },
    }),

    defineTool({
      name: 'create_sequence_draft',
      description:
        'Creates an email sequence as a draft (not activated: nobody is enrolled or emailed until an approver activates it), started by hand, with the given email steps written in Markdown. Subjects and bodies may use Liquid such as {{ subscriber.first_name | default: "there" }}; templates that cannot render are refused.',
      input: z.object({
        name: z
          .string()
          .trim()
          .min(1)
          .max(200)
          .describe('The sequence name, e.g. "Welcome series"'),
        steps: z
          .array(
            z.object({
              subject: z.string().trim().min(1).max(500).describe('The email subject'),
              markdown: z.string().trim().min(1).max(20_000).describe('The email body in Markdown'),
              delayDays: z
                .number()
                .int()
                .min(0)
                .max(365)
                .default(0)
                .describe('Days after the previous step (after enrollment for the first)'),
            }),
          )
          .max(10)
          .default([])
          .describe('The emails in order (up to 10); steps can be added later'),
      }),
      readOnly: false,
      permission: 'content.write',
      describe: (input) =>
        `Create a draft email sequence "${clip(input.name, 80)}" with ${count(input.steps.length, 'step')}${input.steps.length > 0 ? `: ${input.steps.map((step) => `"${clip(step.subject, 60)}"`).join(', ')}` : ''} (not activated).`,
      async run(context, input) {
        const body = CreateSequenceBody.parse({
          name: input.name,
          steps: input.steps.map((step) => ({
            subject: step.subject,
            markdown: step.markdown,
            delay: { value: step.delayDays, unit: 'days' },
          })),
        });
        const sequence = await sequences.create(context.principal, context.businessId, body);
        return {
          id: sequence.id,
          name: sequence.name,
          status: sequence.status,
          steps: sequence.steps.map((step) => ({
            id: step.id,
            position: step.position,
            delay: delayText(step.delay),
            subject: step.subject,
          })),
        };
      },
      summarize(result) {
        const sequence = result as { name: string; steps: unknown[] };
        return `Created the draft sequence ${sequence.name} with ${count(sequence.steps.length, 'step')}.`;
      },
    }),

    defineTool({
      name: 'generate_sequence',
      description:
        'Starts the AI job that drafts a whole email sequence in the brand voice from a goal (stored as a draft sequence, not activated). Returns the job id; the job runs in the background.',
      input: z.object({
        goal: z
          .string()
          .trim()
          .min(3)
          .max(1000)
          .describe('What the sequence should achieve, e.g. "welcome new customers"'),
        steps: z.number().int().min(1).max(10).default(3).describe('How many emails (1–10)'),
        cadenceDays: z.number().int().min(0).max(60).default(2).describe('Days between emails'),
        name: z.string().trim().min(1).max(200).optional().describe('The sequence name'),
      }),
      readOnly: false,
      permission: 'content.write',
      describe: (input) =>
        `Start the AI job that drafts a ${count(input.steps, 'email')} sequence, one every ${count(input.cadenceDays, 'day')}, to "${clip(input.goal, 120)}".`,
      async run(context, input) {
        const job = await sequences.startDraft(context.principal, context.businessId, {
          goal: input.goal,
          steps: input.steps,
          cadenceDays: input.cadenceDays,
          ...(input.name ? { name: input.name } : {}),
        });
        return { jobId: job.id, status: job.status };
      },
      summarize: (result) =>
        `Started the sequence drafting job ${(result as { jobId: string }).jobId}; it runs in the background.`,
    }),
  ];
}
