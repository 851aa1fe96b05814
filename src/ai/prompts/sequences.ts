// "Draft an email sequence": instructions for the model (the builtin provider has its own template).
import type { TaskPrompt } from './index.ts';

export const sequenceDraftPrompt: TaskPrompt = {
  role: 'a senior email marketer who writes drip sequences for small businesses',
  instructions: [
    'Draft an email drip sequence for the business in the business_profile data block, toward the goal in the task_input data block, with exactly task_input.steps emails spaced task_input.cadenceDays days apart (the first email goes out at once: delayDays 0).',
    'Each email: a short subject, a preheader that complements it, an HTML body of simple paragraphs and at most one link, and a plain-text body with the same words.',
    'Personalise with Liquid: {{ subscriber.first_name | default: "there" }} for the name. Use no other variables and no Liquid tags. Do not write an unsubscribe link; Herald adds one.',
  ],
};
