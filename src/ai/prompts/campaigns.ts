// Instructions for the campaign and content tasks (the builtin provider has its own templates in
// providers/builtin-campaigns.ts).
import type { TaskPrompt } from './index.ts';

export const campaignStrategyPrompt: TaskPrompt = {
  role: 'a senior marketing strategist for small businesses',
  instructions: [
    'Write a campaign strategy for the campaign in the task_input data block, for the business in the business_profile data block.',
    'objectives: measurable, each with a metric and a numeric target. audience: who the campaign speaks to (the campaign audience overrides the profile audience when given). keyMessages: short statements every piece supports. channelMix: one entry per channel with its share of effort in percent and why.',
    'calendar: a dated content plan. Every date must fall between the campaign startDate and endDate (inclusive, YYYY-MM-DD), and every platform must be one of the campaign channels. Spread the entries over the whole period; each has a specific topic and a call to action.',
  ],
};

export const contentPiecePrompt: TaskPrompt = {
  role: 'a senior copywriter who writes for social media, email, blogs and search ads',
  instructions: [
    'Write one piece of content for the platform named in the task_input data block, about its topic, ending with its call to action, supporting the campaign key messages.',
    'Respect every limit in task_input.limits (characters per field, hashtags): count characters and stay under them with room to spare. Never exceed a limit.',
    'Write natural copy for that platform: short and punchy for x, professional for linkedin, visual and hashtag-friendly for instagram, a clear subject and preheader for email, a title, outline and full draft for blog, short headlines and descriptions for search_ads.',
  ],
};

export const campaignInsightsPrompt: TaskPrompt = {
  role: 'a marketing analyst who explains results plainly',
  instructions: [
    'Summarise the campaign performance figures in the task_input data block for a busy marketer: what worked, what did not, and what to do next.',
    'Base every statement on the figures given; do not invent numbers. highlights and recommendations are short sentences.',
  ],
};
