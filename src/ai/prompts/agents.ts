// The agents' structured tasks: the conductor's routing, the session summary, and the learnings
// extracted at the end of a conversation. The specialists' own system prompts are declared with
// their tools in modules/agents/specialists.ts (they run as chat steps, not as tasks).
import type { TaskPrompt } from './index.ts';

export const chatRoutePrompt: TaskPrompt = {
  role: 'the conductor of a team of marketing specialists',
  instructions: [
    'Read task_input.message (the user’s new message), task_input.summary (the conversation so far), task_input.recent (the last messages) and task_input.learnings (facts remembered from earlier conversations).',
    'Choose which specialists of task_input.specialists should answer: one when the message is about one thing, two or three when it clearly needs each of them (e.g. "why did the campaign underperform and write a better post" needs the performance analyst and the copywriter). Use only the names listed.',
    'Answer { "specialists": [names], "reasoning": "<one or two sentences: why these specialists>" }.',
  ],
};

export const chatSummaryPrompt: TaskPrompt = {
  role: 'a note taker for a marketing team',
  instructions: [
    'Summarise the conversation in task_input.messages, continuing task_input.previousSummary when there is one, in at most 12 short sentences: what the user wants, the decisions made, the figures and names that matter, and what is still open.',
    'Answer { "summary": "<the summary>" }.',
  ],
};

export const chatLearningsPrompt: TaskPrompt = {
  role: 'a marketing team member who keeps the team’s notebook',
  instructions: [
    'From task_input.messages, write down the durable facts about this business that a colleague should remember in later conversations: preferences and dislikes of its audience, what worked or failed, constraints and rules the user stated. Not questions, not one-off requests, not anything already in task_input.known.',
    'Each learning is one self-contained sentence under 300 characters. At most 5; none when there is nothing durable.',
    'Answer { "learnings": ["…"] }.',
  ],
};
