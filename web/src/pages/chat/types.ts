// The agents API's shapes (chat, learnings, decision log, knowledge base), written by hand from
// the contract while the API is built on another branch; at merge they become aliases of the
// generated `components['schemas'][…]` of the same names.

export interface ChatSession {
  id: string;
  businessId: string;
  title: string;
  summary: string | null;
  messageCount: number;
  createdAt: string;
  lastActivityAt: string;
}

export type ToolCardStatus = 'running' | 'done' | 'failed' | 'refused' | 'awaiting_confirmation';

export interface ChatToolCard {
  id: string;
  agent: string;
  tool: string;
  input: unknown;
  status: ToolCardStatus;
  summary: string;
  actionId?: string;
}

export interface ChatCitation {
  chunkId: string;
  documentId: string;
  title: string;
  excerpt: string;
}

export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  agents: string[];
  toolCalls: ChatToolCard[];
  citations: ChatCitation[];
  provider: string | null;
  model: string | null;
  decisionId: string | null;
  createdAt: string;
}

export type ChatActionStatus = 'pending' | 'confirmed' | 'rejected' | 'expired' | 'failed';

export interface ChatAction {
  id: string;
  messageId: string;
  agent: string;
  tool: string;
  description: string;
  input: unknown;
  status: ChatActionStatus;
  result: unknown;
  error: { code: string; message: string } | null;
  expiresAt: string;
  decidedAt: string | null;
}

export interface ChatSessionDetail {
  session: ChatSession;
  messages: ChatMessage[];
  actions: ChatAction[];
}

export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

export interface ErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
  correlationId: string;
}

/** The events of `POST …/messages`, by their `event:` name. */
export interface ChatStreamEvents {
  message: { message: ChatMessage };
  agents: { agents: string[]; reasoning: string };
  delta: { agent: string; text: string };
  'tool-call': { card: ChatToolCard };
  'tool-result': { card: ChatToolCard };
  confirmation: { action: ChatAction };
  done: { message: ChatMessage };
  error: { error: ErrorBody; timestamp: string };
}

export interface ConfirmedAction {
  action: ChatAction;
  message: ChatMessage;
}

export interface Learning {
  id: string;
  kind: 'fact' | 'outcome' | 'extracted';
  content: string;
  sessionId: string | null;
  createdAt: string;
}

export interface DecisionToolCall {
  agent: string;
  tool: string;
  input: unknown;
  result: unknown;
  outcome: string;
  ms: number;
}

export type DecisionOutcome = 'success' | 'failed' | 'limited';

export interface AgentDecision {
  id: string;
  sessionId: string | null;
  messageId: string | null;
  channel: string;
  agents: string[];
  reasoning: string;
  toolCalls: DecisionToolCall[];
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  latencyMs: number;
  firstTokenMs: number | null;
  outcome: DecisionOutcome;
  error: { code: string; message: string } | null;
  provider: string | null;
  model: string | null;
  createdAt: string;
}

export interface DecisionModelCall {
  id: string;
  task: string;
  model: string;
  outcome: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  hasTranscript: boolean;
}

export interface AgentDecisionDetail extends AgentDecision {
  calls: DecisionModelCall[];
}

export interface CallTranscript {
  prompt: unknown;
  response: unknown;
}

export type KnowledgeFormat = 'text' | 'markdown' | 'html' | 'pdf';

export interface KnowledgeDocument {
  id: string;
  title: string;
  format: KnowledgeFormat;
  sourceUrl: string | null;
  bytes: number;
  chunkCount: number;
  status: 'processing' | 'ready' | 'failed';
  error: string | null;
  createdAt: string;
}

export interface KnowledgeDocumentDetail extends KnowledgeDocument {
  chunks: { id: string; ordinal: number; excerpt: string }[];
}

export interface NewKnowledgeDocument {
  title: string;
  format: KnowledgeFormat;
  content?: string;
  contentBase64?: string;
  url?: string;
}
