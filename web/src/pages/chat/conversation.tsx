// One conversation: the user's and the agents' messages, each reply with its tool cards, the
// actions it asks the user to confirm, its sources, who wrote it, a rating and a link to why it
// was written; and the reply still streaming in, with the agents at work.
import { useState } from 'react';
import { Link } from 'react-router';

import { ErrorNotice } from '../../components/error-notice';
import { formatDateTime } from '../../components/ui';
import {
  ACTION_STATUS,
  agentName,
  asJson,
  replyAuthor,
  statusClass,
  TOOL_STATUS,
} from './agent-labels';
import { useDecideAction, useRateReply } from './chat-queries';
import type { StreamingTurn } from './chat-stream';
import type { ChatAction, ChatCitation, ChatMessage, ChatToolCard } from './types';

interface ConversationProps {
  businessId: string;
  sessionId: string;
  messages: ChatMessage[];
  actions: ChatAction[];
  /** The reply being streamed into this conversation, if any. */
  turn: StreamingTurn | null;
}

export function Conversation(props: ConversationProps) {
  const { businessId, sessionId, messages, actions, turn } = props;
  const known = new Set(messages.map((message) => message.id));
  // Actions of a message not in the list (yet): shown at the end rather than lost.
  const orphans = actions.filter((action) => !known.has(action.messageId));
  const shown = turn?.userMessage
    ? messages.filter((message) => message.id !== turn.userMessage?.id)
    : messages;
  return (
    <ol className="chat-log" aria-label="Conversation" data-testid="chat-log">
      {shown.map((message) =>
        message.role === 'user' ? (
          <UserBubble key={message.id} content={message.content} />
        ) : (
          <AssistantReply
            key={message.id}
            businessId={businessId}
            sessionId={sessionId}
            message={message}
            actions={actions.filter((action) => action.messageId === message.id)}
            streaming={turn !== null}
          />
        ),
      )}
      {orphans.length > 0 && (
        <li className="chat-actions-orphan">
          <ActionCards
            businessId={businessId}
            sessionId={sessionId}
            actions={orphans}
            streaming={turn !== null}
          />
        </li>
      )}
      {turn && <StreamingReply turn={turn} businessId={businessId} />}
    </ol>
  );
}

function UserBubble({ content }: { content: string }) {
  return (
    <li className="chat-message user" data-testid="chat-user-message">
      <span className="visually-hidden">You: </span>
      <div className="chat-bubble">{content}</div>
    </li>
  );
}

function AssistantReply(props: {
  businessId: string;
  sessionId: string;
  message: ChatMessage;
  actions: ChatAction[];
  streaming: boolean;
}) {
  const { businessId, message } = props;
  const author = replyAuthor(message);
  return (
    <li className="chat-message assistant" data-testid="chat-assistant-message">
      <span className="visually-hidden">Herald: </span>
      <div className="chat-bubble">
        {message.agents.length > 0 && (
          <p className="chat-agents muted small">{message.agents.map(agentName).join(', ')}</p>
        )}
        <div className="chat-text">{message.content}</div>
        {message.toolCalls.length > 0 && <ToolCards cards={message.toolCalls} />}
        <ActionCards
          businessId={businessId}
          sessionId={props.sessionId}
          actions={props.actions}
          streaming={props.streaming}
        />
        {message.citations.length > 0 && <Citations citations={message.citations} />}
        <div className="chat-meta muted small">
          {author && <span data-testid="chat-author">{author}</span>}
          <time dateTime={message.createdAt}>{formatDateTime(message.createdAt)}</time>
          <RateReply businessId={businessId} messageId={message.id} />
          {message.decisionId && (
            <Link
              to={`/businesses/${businessId}/decisions/${message.decisionId}`}
              aria-label="Why? See how this reply was decided, in the decision log"
            >
              Why?
            </Link>
          )}
        </div>
      </div>
    </li>
  );
}

function StreamingReply({ turn, businessId }: { turn: StreamingTurn; businessId: string }) {
  const text = turn.parts.map((part) => part.text).join('');
  return (
    <>
      <UserBubble content={turn.userMessage?.content ?? turn.content} />
      <li className="chat-message assistant streaming" data-testid="chat-streaming" aria-busy>
        <span className="visually-hidden">Herald: </span>
        <div className="chat-bubble">
          <p className="chat-agents muted small" role="status" data-testid="chat-thinking">
            {turn.agents === null
              ? 'Thinking…'
              : `${turn.agents.map(agentName).join(', ') || 'Herald'} ${turn.agents.length > 1 ? 'are' : 'is'} working on it…`}
          </p>
          {turn.reasoning && <p className="chat-reasoning muted small">{turn.reasoning}</p>}
          {text && (
            <div className="chat-text" data-testid="chat-streaming-text">
              {text}
            </div>
          )}
          {turn.cards.length > 0 && <ToolCards cards={turn.cards} />}
          <ActionCards
            businessId={businessId}
            sessionId={turn.sessionId}
            actions={turn.actions}
            streaming
          />
        </div>
      </li>
    </>
  );
}

function ToolCards({ cards }: { cards: ChatToolCard[] }) {
  return (
    <ul className="chat-tools" aria-label="Tools used">
      {cards.map((card) => (
        <li key={card.id} className="chat-tool" data-testid="chat-tool-card">
          <div className="chat-tool-head">
            <code>{card.tool}</code>
            <span className={`badge ${statusClass(card.status)}`}>{TOOL_STATUS[card.status]}</span>
            <span className="muted small">{agentName(card.agent)}</span>
          </div>
          {card.summary && <p className="chat-tool-summary">{card.summary}</p>}
          <details>
            <summary>Input</summary>
            <pre className="chat-pre">{asJson(card.input)}</pre>
          </details>
        </li>
      ))}
    </ul>
  );
}

function ActionCards(props: {
  businessId: string;
  sessionId: string;
  actions: ChatAction[];
  streaming: boolean;
}) {
  if (props.actions.length === 0) return null;
  return (
    <ul className="chat-confirmations" aria-label="Actions to confirm">
      {props.actions.map((action) => (
        <ActionCard
          key={action.id}
          businessId={props.businessId}
          sessionId={props.sessionId}
          action={action}
          streaming={props.streaming}
        />
      ))}
    </ul>
  );
}

function ActionCard(props: {
  businessId: string;
  sessionId: string;
  action: ChatAction;
  streaming: boolean;
}) {
  const { action } = props;
  const decide = useDecideAction(props.businessId, props.sessionId);
  const pending = action.status === 'pending';
  const titleId = `action-${action.id}`;
  return (
    <li
      className="chat-confirmation card"
      aria-labelledby={titleId}
      data-testid="chat-confirmation"
    >
      <p id={titleId} className="chat-confirmation-title">
        <strong>{action.description}</strong>
      </p>
      <p className="muted small">
        {agentName(action.agent)} · <code>{action.tool}</code> ·{' '}
        <span className={`badge ${statusClass(action.status)}`} data-testid="chat-action-status">
          {ACTION_STATUS[action.status]}
        </span>
      </p>
      <details>
        <summary>What will be sent</summary>
        <pre className="chat-pre">{asJson(action.input)}</pre>
      </details>
      {pending && (
        <>
          <div className="chat-confirmation-buttons">
            <button
              type="button"
              className="button"
              disabled={props.streaming || decide.isPending}
              onClick={() => {
                decide.mutate({ action, decision: 'confirm' });
              }}
            >
              {decide.isPending && decide.variables.decision === 'confirm'
                ? 'Confirming…'
                : 'Confirm'}
            </button>
            <button
              type="button"
              className="button secondary"
              disabled={props.streaming || decide.isPending}
              onClick={() => {
                decide.mutate({ action, decision: 'reject' });
              }}
            >
              {decide.isPending && decide.variables.decision === 'reject' ? 'Rejecting…' : 'Reject'}
            </button>
          </div>
          <p className="muted small">
            {props.streaming
              ? 'You can decide once the reply is finished.'
              : `Nothing happens until you confirm. The request expires ${formatDateTime(action.expiresAt)}.`}
          </p>
        </>
      )}
      {action.status === 'confirmed' && action.result != null && (
        <details open>
          <summary>Result</summary>
          <pre className="chat-pre" data-testid="chat-action-result">
            {asJson(action.result)}
          </pre>
        </details>
      )}
      {action.error && (
        <p className="field-error" data-testid="chat-action-error">
          {action.error.message}
        </p>
      )}
      {decide.isError && (
        <ErrorNotice
          error={decide.error}
          title={
            decide.variables.decision === 'confirm'
              ? 'Could not confirm the action'
              : 'Could not reject the action'
          }
        />
      )}
    </li>
  );
}

function Citations({ citations }: { citations: ChatCitation[] }) {
  return (
    <div className="chat-citations">
      <p className="small">
        <strong>Sources</strong>
      </p>
      <ul>
        {citations.map((citation) => (
          <li key={citation.chunkId} data-testid="chat-citation">
            <strong>{citation.title}</strong>
            <blockquote className="muted small">{citation.excerpt}</blockquote>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Thumbs up or down on a reply; pressing the pressed one again takes the rating back. */
function RateReply({ businessId, messageId }: { businessId: string; messageId: string }) {
  const [rating, setRating] = useState<1 | -1 | null>(null);
  const rate = useRateReply(businessId);
  const choose = (value: 1 | -1) => {
    const next = rating === value ? null : value;
    const previous = rating;
    setRating(next);
    rate.mutate(
      { messageId, rating: next },
      {
        onError: () => {
          setRating(previous);
        },
      },
    );
  };
  return (
    <span className="chat-rating" role="group" aria-label="Rate this reply">
      <button
        type="button"
        className="button link"
        aria-pressed={rating === 1}
        aria-label="Helpful"
        title="Helpful"
        disabled={rate.isPending}
        onClick={() => {
          choose(1);
        }}
      >
        👍
      </button>
      <button
        type="button"
        className="button link"
        aria-pressed={rating === -1}
        aria-label="Not helpful"
        title="Not helpful"
        disabled={rate.isPending}
        onClick={() => {
          choose(-1);
        }}
      >
        👎
      </button>
      {rate.isError && (
        <span className="field-error" role="alert">
          Rating not saved
        </span>
      )}
    </span>
  );
}
