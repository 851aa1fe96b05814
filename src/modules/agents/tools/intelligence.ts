// Customer intelligence tools: the latest run's figures (RFM segment sizes, churn tiers, CLV,
// what changed since the previous run), its churn-risk list, and questions about customers in
// plain words (turned into a segment rule by the AI layer and run inside the business).
import { z } from 'zod';

import type { IntelligenceService } from '../../intelligence/index.ts';
import { type AgentTool, defineTool } from '../tool-registry.ts';
import type { AgentToolServices } from './services.ts';
import { clip, count, Limit, listSentence } from './shared.ts';

/** Segment moves kept from a run's comparison with the previous one, largest first. */
const MOVEMENTS_SHOWN = 5;
/** Customers of a question's answer handed to the model (the answer holds up to 20). */
const ANSWER_CUSTOMERS = 10;

type Run = NonNullable<Awaited<ReturnType<IntelligenceService['latest']>>>;

/** A run without its model internals, histogram and timings: what a marketer acts on. */
function runBrief(run: Run) {
  const figures = run.figures;
  return {
    runId: run.id,
    asOf: run.asOf,
    finishedAt: run.finishedAt,
    horizonDays: run.horizonDays,
    customersScored: run.model?.counts.customers ?? null,
    predictive: run.model?.sufficiency.predictive ?? false,
    notPredictiveBecause: run.model?.sufficiency.reasons ?? [],
    rfmSegments: figures?.rfmSegments ?? null,
    churnTiers: figures?.churnTiers ?? null,
    clv: figures?.clv
      ? { totalCents: figures.clv.totalCents, percentiles: figures.clv.percentiles }
      : null,
    atRisk: figures?.atRisk ?? null,
    changes: figures?.changes
      ? {
          previousAsOf: figures.changes.previousAsOf,
          rfmSegments: figures.changes.rfmSegments,
          movements: figures.changes.movements.slice(0, MOVEMENTS_SHOWN),
          newCustomers: figures.changes.newCustomers,
        }
      : null,
  };
}

export function intelligenceTools(
  services: Pick<AgentToolServices, 'intelligence' | 'questions'>,
): AgentTool[] {
  const { intelligence, questions } = services;
  return [
    defineTool({
      name: 'get_latest_intelligence',
      description:
        "The latest customer intelligence run (the one customers' scores come from): customers per RFM segment, per churn tier (low, medium, high), CLV total and percentiles in cents, the high-risk group (customers, past revenue, CLV), and what changed since the previous run. run is null when no run has succeeded yet.",
      input: z.object({}),
      readOnly: true,
      permission: 'business.read',
      keywords: ['churn', 'clv', 'lifetime value', 'rfm', 'intelligence', 'retention', 'loyal'],
      async run(context) {
        const run = await intelligence.latest(context.principal, context.businessId);
        return { run: run ? runBrief(run) : null };
      },
      summarize(result) {
        const { run } = result as { run: ReturnType<typeof runBrief> | null };
        if (!run) return 'No customer intelligence run has succeeded yet.';
        const tiers = run.churnTiers
          ? `churn tiers: ${Object.entries(run.churnTiers)
              .map(([tier, n]) => `${String(n)} ${tier}`)
              .join(', ')}`
          : 'not enough data for churn and CLV predictions';
        return `The latest run (as of ${run.asOf}) scored ${count(run.customersScored ?? 0, 'customer')}; ${tiers}.`;
      },
    }),

    defineTool({
      name: 'list_at_risk_customers',
      description:
        "The latest intelligence run's high churn-risk customers, most valuable first: id, email, name, RFM segment, churn risk, CLV in cents, days since the last purchase, repeat purchases. Empty when no run has succeeded yet, or when it had too little data to predict churn.",
      input: z.object({ limit: Limit }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['at risk', 'churning', 'about to leave', 'win back', 'lapsed'],
      async run(context, input) {
        const run = await intelligence.latest(context.principal, context.businessId);
        // No succeeded run yet: nobody is known to be at risk (the latest run keeps its scores).
        if (!run?.scoresKept) return { runId: run?.id ?? null, customers: [] };
        const list = await intelligence.atRisk(
          context.principal,
          context.businessId,
          run.id,
          input.limit,
        );
        return { runId: run.id, asOf: run.asOf, customers: list.items };
      },
      summarize(result) {
        const list = result as {
          customers: { name: string | null; email: string | null; userId: string | null }[];
        };
        return listSentence(
          list.customers.map(
            (customer) => customer.name ?? customer.email ?? customer.userId ?? 'unnamed',
          ),
          'customer at high churn risk',
          { many: 'customers at high churn risk' },
        );
      },
    }),

    defineTool({
      name: 'ask_customers',
      description:
        'Answers a question about customers in plain words ("who is about to leave with CLV in the top 20 %?", "customers who ordered in the last 30 days"): it is turned into a segment rule, run on this business\'s customers, and answered with the rule in plain words, how many match and the first of them. Questions the segment rules cannot express are refused with what can be asked.',
      input: z.object({
        question: z
          .string()
          .trim()
          .min(1)
          .max(500)
          .describe('The question about customers, in plain words'),
      }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['which customers', 'how many customers', 'who bought', 'who ordered'],
      async run(context, input) {
        const answer = await questions.ask(context.principal, context.businessId, input.question);
        return {
          readable: answer.readable,
          count: answer.count,
          customers: answer.customers.slice(0, ANSWER_CUSTOMERS).map((customer) => ({
            id: customer.id,
            email: customer.email,
            name: customer.name,
            lastSeenAt: customer.lastSeenAt,
            orderCount: customer.orderCount,
            revenueCents: customer.revenueCents,
            scores: customer.scores,
          })),
          summary: answer.summary,
          readBy: answer.generatedBy.note,
        };
      },
      summarize(result) {
        const answer = result as { readable: string; count: number };
        return `${count(answer.count, 'customer')} ${answer.count === 1 ? 'matches' : 'match'}: ${clip(answer.readable, 200)}.`;
      },
    }),
  ];
}
