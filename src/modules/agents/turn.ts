// One turn of the conversation: the conductor routes the user's message to one or more
// specialists; each specialist runs a loop of chat steps (the model answers or asks for tools;
// the tools it asked for run here, with the chat user's access); several answers are merged by
// the conductor into one reply. Everything the user sees arrives as events while it happens:
// the routing, answer text as it streams, each tool call and its result, and actions that wait
// for the user's confirmation — a data-changing tool never runs inside a turn.
import { randomUUID } from 'node:crypto';

import type {
  AiChat,
  AiRunner,
  ChatStepMessage,
  ChatStepResult,
  ChatToolCall,
  Provenance,
} from '../../ai/contract.ts';
import { chatRouteTask } from '../../ai/tasks.ts';
import type { DecisionToolCall } from '../../platform/db/schema/index.ts';
import { AppError } from '../../platform/http/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import { roleAllows } from '../../shared/permissions.ts';
import type { Membership } from '../businesses/index.ts';
import type { ChatAction, ChatToolCard } from './schemas.ts';
import { CONDUCTOR_SYSTEM, type Specialist, specialistNamed, SPECIALISTS } from './specialists.ts';
import { type AgentTool, chatToolOf, type ToolContext } from './tool-registry.ts';

/** What a turn tells the client while it runs (routes.ts writes each as a server-sent event). */
export type TurnEvent =
  | { type: 'agents'; agents: string[]; reasoning: string }
  | { type: 'delta'; agent: string; text: string }
  | { type: 'tool-call'; card: ChatToolCard }
  | { type: 'tool-result'; card: ChatToolCard }
  | { type: 'confirmation'; action: ChatAction };

export interface Citation {
  chunkId: string;
  documentId: string;
  title: string;
  excerpt: string;
}

/** A data-changing tool call the model asked for: stored with the reply, run once confirmed. */
export interface ProposedAction {
  id: string;
  agent: string;
  tool: string;
  input: Record<string, unknown>;
  description: string;
}

export interface TurnOutcome {
  text: string;
  agents: string[];
  reasoning: string;
  cards: ChatToolCard[];
  citations: Citation[];
  actions: ProposedAction[];
  toolLog: DecisionToolCall[];
  generatedBy: Provenance | undefined;
  firstTokenMs: number | undefined;
}

/** One tool call's part of the outcome (see runTool). */
interface ToolRun {
  result: unknown;
  summary: string;
  card: ChatToolCard;
  logged: DecisionToolCall | undefined;
  action: ProposedAction | undefined;
  citations: Citation[];
}

export interface TurnRequest {
  context: ToolContext;
  membership: Membership;
  decisionId: string;
  /** The id the reply will be stored under (confirmation events name it). */
  replyId: string;
  message: string;
  summary: string | null;
  /** The messages before this one, oldest first (already cut to the last few). */
  recent: { role: 'user' | 'assistant'; content: string }[];
  learnings: string[];
  actionTtlMs: number;
  now: () => Date;
  emit: (event: TurnEvent) => void;
}

/** A specialist's tool loop stops after this many model steps. */
const MAX_STEPS = 5;
/** What the model and the decision log get of a tool result. */
const MODEL_RESULT_CHARS = 8_000;
const LOG_RESULT_CHARS = 2_000;

/** A JSON value cut to about `max` characters of JSON (the shape kept, long parts dropped). */
export function trimmed(value: unknown, max: number): unknown {
  // JSON.stringify(undefined) is undefined, whatever its type says.
  const json = (JSON.stringify(value) as string | undefined) ?? 'null';
  if (json.length <= max) return value;
  return { truncated: true, preview: json.slice(0, max) };
}

function memoryBlock(request: TurnRequest): string {
  const parts: string[] = [];
  if (request.summary) {
    parts.push(`<conversation_summary>\n${request.summary}\n</conversation_summary>`);
  }
  if (request.learnings.length > 0) {
    parts.push(
      `<remembered_learnings>\n${request.learnings.map((l) => `- ${l}`).join('\n')}\n</remembered_learnings>`,
    );
  }
  return parts.join('\n');
}

function conversation(request: TurnRequest): ChatStepMessage[] {
  const memory = memoryBlock(request);
  return [
    ...request.recent.map((m) => ({ role: m.role, content: m.content })),
    {
      role: 'user',
      content: memory
        ? `${memory}\n\n<user_message>\n${request.message}\n</user_message>`
        : request.message,
    },
  ];
}

/** The citations a knowledge-base search result carries, numbered as the model saw them. */
function citationsOf(result: unknown): Citation[] {
  const items = (result as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: Record<string, unknown>) =>
    typeof item.chunkId === 'string' && typeof item.documentId === 'string'
      ? [
          {
            chunkId: item.chunkId,
            documentId: item.documentId,
            title: typeof item.title === 'string' ? item.title : '',
            excerpt: typeof item.excerpt === 'string' ? item.excerpt : '',
          },
        ]
      : [],
  );
}

export function createTurnRunner(deps: {
  ai: AiRunner & AiChat;
  tools: ReadonlyMap<string, AgentTool>;
  logger: Logger;
}) {
  const { ai, tools, logger } = deps;

  /**
   * One tool call, with its events sent as it happens; what it adds to the turn's outcome is
   * returned, so calls run side by side are still recorded in the order the model made them.
   */
  async function runTool(
    request: TurnRequest,
    agent: string,
    call: ChatToolCall,
  ): Promise<ToolRun> {
    const started = performance.now();
    let logged: DecisionToolCall | undefined;
    let action: ProposedAction | undefined;
    let citations: Citation[] = [];
    const card: ChatToolCard = {
      id: call.id,
      agent,
      tool: call.name,
      input: call.valid ? call.input : call.rawInput,
      status: 'running',
      summary: '',
    };
    request.emit({ type: 'tool-call', card: { ...card } });
    const log = (result: unknown, status: string) => {
      logged = {
        agent,
        tool: call.name,
        input: card.input,
        result: trimmed(result, LOG_RESULT_CHARS),
        outcome: status,
        ms: Math.round(performance.now() - started),
      };
    };
    const finish = (status: ChatToolCard['status'], summary: string, result: unknown): ToolRun => {
      card.status = status;
      card.summary = summary;
      request.emit({ type: 'tool-result', card: { ...card } });
      return { result, summary, card, logged, action, citations };
    };

    const tool = tools.get(call.name);
    if (!call.valid || !tool) {
      const error = call.valid ? `there is no tool named ${call.name}` : call.error;
      log({ error }, 'invalid_arguments');
      return finish('failed', `Not run: ${error}`, { error: `Not run: ${error}` });
    }
    if (!roleAllows(request.membership.role, tool.permission, request.membership.approver)) {
      const error = `Your role (${request.membership.role}) may not use ${tool.name}.`;
      log({ error }, 'refused');
      return finish('refused', error, { error });
    }
    if (!tool.readOnly && !request.context.principal.scopes.includes('write')) {
      const error = 'A read-only API key cannot change data.';
      log({ error }, 'refused');
      return finish('refused', error, { error });
    }
    if (!tool.readOnly) {
      const description = tool.describe?.(call.input) ?? `Run ${tool.name}`;
      action = {
        id: randomUUID(),
        agent,
        tool: tool.name,
        input: call.input,
        description,
      };
      const now = request.now();
      request.emit({
        type: 'confirmation',
        action: {
          id: action.id,
          messageId: request.replyId,
          agent,
          tool: tool.name,
          description,
          input: call.input,
          status: 'pending',
          result: null,
          error: null,
          expiresAt: new Date(now.getTime() + request.actionTtlMs).toISOString(),
          decidedAt: null,
        },
      });
      card.actionId = action.id;
      const summary = `Waiting for your confirmation: ${description}`;
      log({ status: 'awaiting_confirmation', actionId: action.id }, 'awaiting_confirmation');
      return finish('awaiting_confirmation', summary, {
        status: 'awaiting_confirmation',
        message: `The user is asked to confirm: ${description}. It has not run; it runs only if they confirm.`,
      });
    }
    try {
      const result = await tool.run(request.context, call.input);
      const summary = tool.summarize(result, call.input);
      log(result, 'done');
      if (tool.name === 'search_knowledge') citations = citationsOf(result);
      return finish('done', summary, result);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        // Another tenant's id reads as not found, exactly as on the API; logged as refused.
        const refused = error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN';
        log(
          { error: { code: error.code, message: error.message } },
          refused ? 'refused' : 'failed',
        );
        return finish(refused ? 'refused' : 'failed', error.message, {
          error: { code: error.code, message: error.message },
        });
      }
      logger.error({ err: error, tool: tool.name }, 'agent tool failed');
      const message =
        error instanceof AppError ? error.message : `${tool.name} failed unexpectedly`;
      log({ error: message }, 'failed');
      return finish('failed', message, { error: message });
    }
  }

  /** One specialist's loop of chat steps; its text streams only when `stream`. */
  async function runSpecialist(
    request: TurnRequest,
    specialist: Specialist,
    stream: boolean,
    outcome: TurnOutcome,
    started: number,
  ): Promise<{ text: string; generatedBy: Provenance | undefined }> {
    const offered = specialist.tools.flatMap((name) => {
      const tool = tools.get(name);
      return tool ? [tool] : [];
    });
    const messages = conversation(request);
    let text = '';
    let generatedBy: Provenance | undefined;
    for (let step = 0; step < MAX_STEPS; step++) {
      const result: ChatStepResult = await ai.chatStep(
        {
          task: `chat.${specialist.name}`,
          tier: specialist.tier,
          system: specialist.system,
          messages,
          // The last step offers no tools, so the model has to answer in words.
          tools: step === MAX_STEPS - 1 ? [] : offered.map(chatToolOf),
        },
        {
          businessId: request.context.businessId,
          userId: request.context.principal.userId,
          decisionId: request.decisionId,
          signal: request.context.signal,
          onDelta: (delta) => {
            if (!stream) return;
            outcome.firstTokenMs ??= Math.round(performance.now() - started);
            request.emit({ type: 'delta', agent: specialist.name, text: delta });
          },
        },
      );
      generatedBy = result.generatedBy;
      text += result.text;
      if (result.toolCalls.length === 0) break;
      messages.push({
        role: 'assistant',
        content: result.text,
        toolCalls: result.toolCalls.map((call) => ({
          id: call.id,
          name: call.name,
          input: call.valid ? call.input : {},
        })),
      });
      // The step's tool calls run side by side (reads, and proposals that only wait for the
      // user): the model waits for the slowest, not for their sum.
      const runs = await Promise.all(
        result.toolCalls.map((call) => runTool(request, specialist.name, call)),
      );
      for (const [index, run] of runs.entries()) {
        const call = result.toolCalls[index] as ChatToolCall;
        outcome.cards.push(run.card);
        if (run.logged) outcome.toolLog.push(run.logged);
        if (run.action) outcome.actions.push(run.action);
        outcome.citations.push(...run.citations);
        messages.push({
          role: 'tool',
          toolCallId: call.id,
          name: call.name,
          result: trimmed(run.result, MODEL_RESULT_CHARS),
          summary: run.summary,
        });
      }
      if (text.length > 0 && !text.endsWith('\n')) text += '\n\n';
    }
    return { text: text.trim(), generatedBy };
  }

  return {
    async run(request: TurnRequest): Promise<TurnOutcome> {
      const started = performance.now();
      const who = {
        businessId: request.context.businessId,
        userId: request.context.principal.userId,
        decisionId: request.decisionId,
        signal: request.context.signal,
      };
      const route = await ai.run(
        chatRouteTask,
        {
          message: request.message,
          summary: request.summary,
          recent: request.recent.slice(-4),
          learnings: request.learnings,
          specialists: SPECIALISTS.map((s) => ({ name: s.name, description: s.description })),
        },
        who,
      );
      const chosen = [...new Set(route.value.specialists)]
        .map((name) => specialistNamed(name))
        .filter((s): s is Specialist => s !== undefined);
      const team = chosen.length > 0 ? chosen : [SPECIALISTS[0] as Specialist];
      const outcome: TurnOutcome = {
        text: '',
        agents: team.map((s) => s.name),
        reasoning: route.value.reasoning,
        cards: [],
        citations: [],
        actions: [],
        toolLog: [],
        generatedBy: undefined,
        firstTokenMs: undefined,
      };
      request.emit({ type: 'agents', agents: outcome.agents, reasoning: outcome.reasoning });

      if (team.length === 1) {
        const answer = await runSpecialist(request, team[0] as Specialist, true, outcome, started);
        outcome.text = answer.text;
        outcome.generatedBy = answer.generatedBy;
        return outcome;
      }
      // Several specialists: each answers in turn (their text is not streamed), then one reply.
      const answers: { specialist: Specialist; text: string; generatedBy?: Provenance }[] = [];
      for (const specialist of team) {
        const answer = await runSpecialist(request, specialist, false, outcome, started);
        answers.push({
          specialist,
          text: answer.text,
          ...(answer.generatedBy ? { generatedBy: answer.generatedBy } : {}),
        });
      }
      if (answers.every((a) => a.generatedBy?.provider === 'builtin')) {
        // No model to merge with: each answer under its specialist's title, honestly.
        outcome.text = answers.map((a) => `**${a.specialist.title}**\n\n${a.text}`).join('\n\n');
        outcome.generatedBy = answers[0]?.generatedBy;
        for (const piece of outcome.text.match(/[\s\S]{1,80}(\s|$)/g) ?? []) {
          outcome.firstTokenMs ??= Math.round(performance.now() - started);
          request.emit({ type: 'delta', agent: 'conductor', text: piece });
        }
        return outcome;
      }
      const block = answers
        .map((a) => `<answer specialist="${a.specialist.name}">\n${a.text}\n</answer>`)
        .join('\n');
      const merged = await ai.chatStep(
        {
          task: 'chat.conductor',
          tier: 'strong',
          system: CONDUCTOR_SYSTEM,
          messages: [
            {
              role: 'user',
              content: `<user_message>\n${request.message}\n</user_message>\n<specialist_answers>\n${block}\n</specialist_answers>`,
            },
          ],
          tools: [],
        },
        {
          ...who,
          onDelta: (delta) => {
            outcome.firstTokenMs ??= Math.round(performance.now() - started);
            request.emit({ type: 'delta', agent: 'conductor', text: delta });
          },
        },
      );
      outcome.text = merged.text.trim();
      outcome.generatedBy = merged.generatedBy;
      return outcome;
    },
  };
}

export type TurnRunner = ReturnType<typeof createTurnRunner>;
