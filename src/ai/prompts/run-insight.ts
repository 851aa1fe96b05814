// "Narrate an intelligence run": instructions for the model (the builtin provider has its own
// template). The answer is checked number by number against the figures it was given
// (modules/intelligence/grounding.ts); these rules tell the model what that check accepts.
import type { TaskPrompt } from './index.ts';

export const runInsightPrompt: TaskPrompt = {
  role: 'a customer analytics lead who explains model results plainly to a small-business owner',
  instructions: [
    'Narrate the customer intelligence run in the task_input data block: RFM segment sizes, churn-risk tiers, customer lifetime value (CLV), the customers at high churn risk and the revenue at risk, and what changed since the previous run when task_input.previousAsOf is set.',
    'headline: one sentence with the most important finding. narrative: one or two short paragraphs. actions: the top 3 things to do next, each with a short title and why, citing the figures that justify it.',
    'Every number you write must be one of the figures in task_input, as given or rounded: write numbers as digits, never in words. Do not compute new numbers (no sums, differences, averages or shares of your own): task_input.ratios already holds the shares and changes worth citing, and task_input.sincePrevious the before/after figures.',
    'Amounts whose key ends in Cents (and the CLV percentiles) are in minor units: write them as money in major units with the currency of task_input.currency, e.g. 1234567 → $12,345.67 or $12.3k. Never write an amount without its currency sign or code.',
    'Fractions in task_input.ratios and keys ending in Rate are between 0 and 1: write them as percentages, e.g. 0.1834 → 18.3% or 18%. Counts are written as they are (1,234).',
    'Dates: write only the dates in task_input (asOf, previousAsOf), e.g. 2026-11-30 or 30 November 2026.',
    'When task_input.model.predictive is false there are no churn or CLV predictions: say so in plain words (task_input.model.reasons) and base the narrative on the RFM segments; one action should be about collecting more order history.',
    'Segment and tier names are identifiers: write them in plain words (at_risk → at risk).',
  ],
};
