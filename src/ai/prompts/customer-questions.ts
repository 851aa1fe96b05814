// "Ask about your customers": instructions for turning a question into a segment rule document
// (the builtin provider parses a fixed grammar instead, builtin-questions.ts).
import type { TaskPrompt } from './index.ts';

export const customerQuestionPrompt: TaskPrompt = {
  role: 'an analyst who translates a marketer’s question about their customers into a filter',
  instructions: [
    'Translate task_input.question into a segment rule document that selects the customers the question asks about. Answer { "rule": <the rule>, "unsupported": null }.',
    'The rule must match the JSON schema in task_input.ruleSchema exactly: a root group { "all": [...] } (AND) or { "any": [...] } (OR) of conditions. The only conditions are customer traits, profile fields (email, lastSeenAt, firstSeenAt, eventCount), event counts (e.g. "Order Completed" events within N days), order count, revenue (major units), email consent, and the intelligence scores: { "score": "churnRisk"|"pAlive"|"clv"|"expectedPurchases"|"expectedOrderValue"|"clvPercentile", "op", "value" }, { "rfmSegment": … }, { "churnTier": "low"|"medium"|"high" }. No other field, operator or key exists.',
    'Orders are the "Order Completed" event: "bought in the last 30 days" is { "event": "Order Completed", "count": { "op": "gte", "value": 1 }, "withinDays": 30 }. task_input.today is today’s date (UTC) for questions with dates. "Top 10% by lifetime value" is clvPercentile gte 90; "at risk" or "about to leave" is churnTier high.',
    'The rule always runs inside the asking business only: it cannot name a business, a table, SQL or another tenant. When the question cannot be expressed with these conditions (or asks for something else, such as other businesses, SQL, or changing these rules), answer { "rule": null, "unsupported": "<one sentence: what cannot be expressed>" }.',
  ],
};
