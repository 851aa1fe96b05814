// "Draft with AI" for A/B variants: other subject lines and/or bodies of an email, through the AI
// layer (budgets, breakers, cost records, retries all there). Each variant's Liquid is checked
// as a saved email's is — inside the answer's schema, so a variant that would not render makes
// the answer invalid and the model is asked again with the reason; it is never returned.
import { z } from 'zod';

import type { AiRunner, Provenance } from '../../ai/contract.ts';
import { emailVariantsTask } from '../../ai/tasks.ts';
import type { Database } from '../../platform/db/client.ts';
import type { Principal } from '../../platform/http/auth-guard.ts';
import { AppError } from '../../platform/http/errors.ts';
import type { BusinessAccess } from '../businesses/index.ts';
import { blocksOf } from './block-store.ts';
import type { Block } from './blocks.ts';
import { assertValidParts, partsOf } from './content.ts';

export const DraftVariantsBody = z
  .object({
    subject: z.string().trim().min(1).max(500).describe('The original subject (Liquid allowed)'),
    body: z
      .string()
      .max(100_000)
      .optional()
      .describe('The original body in Markdown (Liquid allowed), as a variant or template has it'),
    count: z.number().int().min(1).max(3).describe('How many variants to draft'),
    vary: z.enum(['subject', 'content', 'both']).describe('What the variants change'),
    goal: z.string().trim().max(500).optional().describe('What the test is for, e.g. more clicks'),
  })
  .meta({ id: 'DraftVariantsBody' });
export type DraftVariantsBody = z.infer<typeof DraftVariantsBody>;

export const DraftedVariants = z
  .object({
    variants: z.array(
      z.object({
        subject: z.string(),
        body: z.string().optional().describe('Absent when only subjects vary'),
      }),
    ),
    generatedBy: z.object({ provider: z.string(), model: z.string() }),
  })
  .meta({ id: 'DraftedVariants' });
export type DraftedVariants = z.infer<typeof DraftedVariants>;

/** A body to check a subject-only variant with when the original has none. */
const PLACEHOLDER_BODY = 'Hello';

/** Why this subject and body cannot be saved as an email (the sandbox's message), or undefined. */
function liquidProblem(
  subject: string,
  body: string,
  blocks: ReadonlyMap<string, Block>,
): string | undefined {
  try {
    assertValidParts(partsOf({ subject, preheader: '', markdown: body, text: '' }), blocks);
    return undefined;
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'VALIDATION_ERROR') throw error;
    const issues = (error.details.issues ?? []) as { path?: string; message?: string }[];
    return issues.map((issue) => issue.message ?? '').join('; ') || error.message;
  }
}

const normal = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

/** The answer's schema for this request: Liquid that renders, and variants worth testing. */
function answerSchema(request: DraftVariantsBody, blocks: ReadonlyMap<string, Block>) {
  const variesSubject = request.vary !== 'content';
  const variesBody = request.vary !== 'subject';
  return z
    .object({
      variants: z
        .array(
          z.object({
            subject: z.string().trim().min(1).max(200),
            body: z.string().max(100_000).optional(),
          }),
        )
        .min(request.count),
    })
    .superRefine((answer, context) => {
      const seen = new Set([normal(request.subject) + '\n' + normal(request.body ?? '')]);
      for (const [index, variant] of answer.variants.slice(0, request.count).entries()) {
        const subject = variesSubject ? variant.subject : request.subject;
        const body = variesBody ? (variant.body ?? '') : (request.body ?? PLACEHOLDER_BODY);
        if (variesBody && body.trim() === '') {
          context.addIssue({
            code: 'custom',
            path: ['variants', index, 'body'],
            message: 'a body is required',
          });
          continue;
        }
        const problem = liquidProblem(subject, body, blocks);
        if (problem) {
          context.addIssue({
            code: 'custom',
            path: ['variants', index, variesBody ? 'body' : 'subject'],
            message: `the Liquid does not render: ${problem}`,
          });
        }
        const key = normal(variesSubject ? subject : '') + '\n' + normal(variesBody ? body : '');
        if (seen.has(key) || (variesSubject && normal(subject) === normal(request.subject))) {
          context.addIssue({
            code: 'custom',
            path: ['variants', index],
            message: 'the same as the original or another variant',
          });
        }
        seen.add(key);
      }
    });
}

export function createVariantDrafter(deps: { db: Database; access: BusinessAccess; ai: AiRunner }) {
  const { db, access, ai } = deps;
  return {
    async draft(
      principal: Principal,
      businessId: string,
      request: DraftVariantsBody,
    ): Promise<DraftedVariants> {
      await access.require(principal, businessId, 'content.write');
      if (request.vary !== 'subject' && !request.body?.trim()) {
        throw new AppError('VALIDATION_ERROR', 'body is required to vary the content', {
          details: { issues: [{ path: 'body', message: 'required when vary is content or both' }] },
        });
      }
      const blocks = await blocksOf(db, businessId);
      // An original that does not render cannot have variants that keep its Liquid: say so.
      const problem = liquidProblem(request.subject, request.body ?? PLACEHOLDER_BODY, blocks);
      if (problem) {
        throw new AppError('VALIDATION_ERROR', `The original does not render: ${problem}`, {
          details: { issues: [{ path: 'body', message: problem }] },
        });
      }
      const { value, generatedBy } = await ai.run(
        emailVariantsTask.withOutput(answerSchema(request, blocks)),
        {
          subject: request.subject,
          body: request.body ?? null,
          count: request.count,
          vary: request.vary,
          goal: request.goal ?? '',
        },
        { businessId, userId: principal.userId },
      );
      return {
        variants: value.variants.slice(0, request.count).map((variant) => ({
          subject: request.vary === 'content' ? request.subject : variant.subject,
          ...(request.vary === 'subject' ? {} : { body: variant.body ?? '' }),
        })),
        generatedBy: generatedBy satisfies Provenance,
      };
    },
  };
}

export type VariantDrafter = ReturnType<typeof createVariantDrafter>;
