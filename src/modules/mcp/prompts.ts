// MCP prompts for the common jobs: plan a campaign, write a week of posts, diagnose a campaign,
// find churn risks. A prompt is a message the assistant starts from; it names the Herald tools
// to use, in order, so the work runs through the same tools (and the same confirmation rule).
import { z } from 'zod';

export interface PromptArgument {
  name: string;
  description: string;
  required: boolean;
}

export interface PromptDeclaration {
  name: string;
  title: string;
  description: string;
  arguments: PromptArgument[];
  /** Prompt arguments arrive as strings; the schema checks them and names a missing one. */
  schema: z.ZodType<Record<string, string | undefined>>;
  text(args: Record<string, string | undefined>): string;
}

const BusinessId = z.uuid('businessId must be a business id (a UUID)');
const businessArgument: PromptArgument = {
  name: 'businessId',
  description: 'The business to work on',
  required: true,
};
const CONFIRM_RULE =
  'Tools that change data run only with confirm: true; call them without it first, show me the action they describe, and confirm only after I agree.';

export const PROMPTS: PromptDeclaration[] = [
  {
    name: 'plan_campaign',
    title: 'Plan a campaign',
    description:
      'Plan a campaign from a goal: a draft campaign, then its AI strategy and calendar.',
    arguments: [
      businessArgument,
      { name: 'goal', description: 'What the campaign should achieve', required: true },
      {
        name: 'channels',
        description: 'Platforms, comma separated (e.g. linkedin, instagram, email)',
        required: false,
      },
      { name: 'weeks', description: 'How many weeks it runs', required: false },
    ],
    schema: z.object({
      businessId: BusinessId,
      goal: z.string().trim().min(1, 'goal is required'),
      channels: z.string().optional(),
      weeks: z
        .string()
        .regex(/^\d{1,2}$/, 'weeks must be a whole number')
        .optional(),
    }),
    text: (args) =>
      [
        `Plan a marketing campaign for Herald business ${String(args.businessId)}.`,
        `Goal: ${String(args.goal)}.`,
        args.channels ? `Channels: ${args.channels}.` : '',
        args.weeks ? `Duration: ${args.weeks} weeks.` : '',
        'First read the current campaigns (list_campaigns) so the plan does not repeat one, then propose a name, goal, channels and dates.',
        'When I agree, create it as a draft (create_campaign) and start its strategy (generate_strategy).',
        CONFIRM_RULE,
      ]
        .filter(Boolean)
        .join('\n'),
  },
  {
    name: 'write_week_of_posts',
    title: 'Write a week of posts',
    description: "Draft a week of social posts in the business's voice, as drafts for review.",
    arguments: [
      businessArgument,
      { name: 'campaignId', description: 'The campaign the posts belong to', required: false },
      {
        name: 'platforms',
        description: 'Platforms, comma separated (default linkedin, instagram)',
        required: false,
      },
      { name: 'theme', description: "The week's theme or offer", required: false },
    ],
    schema: z.object({
      businessId: BusinessId,
      campaignId: z.uuid('campaignId must be a campaign id (a UUID)').optional(),
      platforms: z.string().optional(),
      theme: z.string().optional(),
    }),
    text: (args) =>
      [
        `Write a week of social posts (one per weekday) for Herald business ${String(args.businessId)}.`,
        `Platforms: ${args.platforms ?? 'linkedin, instagram'}.`,
        args.theme ? `Theme: ${args.theme}.` : '',
        args.campaignId
          ? `They belong to campaign ${args.campaignId}: read it first (get_campaign).`
          : 'Read the active campaigns first (list_campaigns) and what was posted lately (list_content).',
        "Keep each post within its platform's limits, then save each as a draft (draft_content); nothing is published.",
        CONFIRM_RULE,
      ]
        .filter(Boolean)
        .join('\n'),
  },
  {
    name: 'diagnose_campaign',
    title: 'Diagnose a campaign',
    description: 'Find why a campaign under-performs and what to change.',
    arguments: [
      businessArgument,
      { name: 'campaignId', description: 'The campaign to diagnose', required: true },
    ],
    schema: z.object({
      businessId: BusinessId,
      campaignId: z.uuid('campaignId must be a campaign id (a UUID)'),
    }),
    text: (args) =>
      [
        `Diagnose campaign ${String(args.campaignId)} of Herald business ${String(args.businessId)}.`,
        'Read the campaign and its strategy (get_campaign), its figures (get_campaign_analytics) and its pieces (list_content with the campaignId).',
        'Compare platforms and pieces, name the two or three causes the figures support, and suggest concrete changes. Quote the figures you rely on.',
      ].join('\n'),
  },
  {
    name: 'find_churn_risks',
    title: 'Find churn risks',
    description: 'List the customers most likely to leave, and what to do about them.',
    arguments: [
      businessArgument,
      {
        name: 'minimumValue',
        description: 'Only customers whose lifetime value is at least this (in the currency)',
        required: false,
      },
    ],
    schema: z.object({
      businessId: BusinessId,
      minimumValue: z
        .string()
        .regex(/^\d+(\.\d+)?$/, 'minimumValue must be a number')
        .optional(),
    }),
    text: (args) =>
      [
        `Find the customers of Herald business ${String(args.businessId)} most at risk of leaving.`,
        'Read the latest intelligence run (get_latest_intelligence) and the customers at risk (list_at_risk_customers).',
        args.minimumValue
          ? `Keep those with a lifetime value of at least ${args.minimumValue} (ask_customers can filter by value).`
          : '',
        'Group them by what they have in common and suggest a win-back action for each group (a segment or an email sequence); propose, do not create, until I agree.',
        CONFIRM_RULE,
      ]
        .filter(Boolean)
        .join('\n'),
  },
];
