// "Draft A/B variants": instructions for the model (the builtin provider has its own template).
import type { TaskPrompt } from './index.ts';

export const emailVariantsPrompt: TaskPrompt = {
  role: 'a senior email marketer who writes A/B test variants for small businesses',
  instructions: [
    'Write task_input.count alternative versions of the email in task_input (subject, and body in Markdown) for an A/B test, toward task_input.goal when one is given.',
    'task_input.vary says what changes: "subject" — write new subject lines only (omit body); "content" — write new bodies and keep the subject exactly as given; "both" — new subject lines and new bodies.',
    'Each variant must differ from the original and from the other variants in a way worth testing (angle, length, a question, urgency, personalisation), and keep the facts of the original: no new offers, prices or dates.',
    'Keep every Liquid placeholder of the original ({{ … }} and {% … %}) exactly as written, with its filters; do not invent new variables or tags. A subject stays under 100 characters.',
  ],
};
