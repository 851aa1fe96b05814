// Chat with the marketing agents: the conversations on one side, the open one in the middle with
// the reply streaming in, and what the agents remember. Anything that would change something
// (publish, send, schedule) waits in the conversation for the user's Confirm.
import './chat.css';

import { useEffect, useRef } from 'react';
import { Link, NavLink, useNavigate, useParams } from 'react-router';

import { ErrorNotice, LoadFailure } from '../../components/error-notice';
import { formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useScopedBusiness } from '../business-scope';
import {
  useChatSession,
  useChatSessions,
  useCreateChatSession,
  useDeleteChatSession,
} from './chat-queries';
import { useChatStream } from './chat-stream';
import { Composer } from './composer';
import { Conversation } from './conversation';
import { LearningsPanel } from './learnings-panel';

const EXAMPLES = [
  'Plan a two-week launch campaign for our new product',
  'Which customers are about to leave, and what should we send them?',
  'Draft three Instagram posts for this weekend',
];

export function ChatPage() {
  const business = useScopedBusiness();
  const { sessionId } = useParams();
  const navigate = useNavigate();
  const base = `/businesses/${business.id}`;
  const session = useChatSession(business.id, sessionId);
  const create = useCreateChatSession(business.id);
  const stream = useChatStream(business.id);
  useDocumentTitle(session.data?.session.title ?? 'Chat', business.name);

  const send = async (content: string): Promise<boolean> => {
    let id = sessionId;
    if (!id) {
      try {
        id = (await create.mutateAsync(undefined)).id;
      } catch {
        return false; // shown by create.isError
      }
      void navigate(`${base}/chat/${id}`);
    }
    return stream.send(id, content);
  };

  const turn = stream.turn?.sessionId === sessionId ? stream.turn : null;

  return (
    <>
      <PageHeader
        title="Chat"
        description="Ask Herald’s marketing agents. They read your data and use Herald’s tools; anything that would publish, send or change something waits for your confirmation."
        actions={
          <>
            <Link
              className="button secondary"
              to={sessionId ? `${base}/decisions?sessionId=${sessionId}` : `${base}/decisions`}
            >
              Decision log
            </Link>
            <button
              type="button"
              className="button"
              disabled={create.isPending || stream.streaming}
              onClick={() => {
                create.mutate(undefined, {
                  onSuccess: (created) => void navigate(`${base}/chat/${created.id}`),
                });
              }}
            >
              New conversation
            </button>
          </>
        }
      />
      {create.isError && (
        <ErrorNotice error={create.error} title="Could not start a conversation" />
      )}
      <div className="chat-layout">
        <SessionList businessId={business.id} openId={sessionId} />
        <section className="card chat-main" aria-labelledby="chat-title">
          {sessionId === undefined ? (
            <div className="chat-intro" data-testid="chat-intro">
              <h2 id="chat-title">Start a conversation</h2>
              <p className="muted">Write below, or start from one of these:</p>
              <ul>
                {EXAMPLES.map((example) => (
                  <li key={example}>{example}</li>
                ))}
              </ul>
            </div>
          ) : session.isPending ? (
            <>
              <h2 id="chat-title" className="visually-hidden">
                Conversation
              </h2>
              <Skeleton lines={5} height={28} label="Loading the conversation…" />
            </>
          ) : session.isError ? (
            <>
              <h2 id="chat-title" className="visually-hidden">
                Conversation
              </h2>
              <LoadFailure
                error={session.error}
                notFoundTitle="Conversation not found"
                back={{ label: 'See your conversations', to: `${base}/chat` }}
                errorTitle="Could not load the conversation"
                onRetry={() => void session.refetch()}
              >
                <p>It may have been deleted.</p>
              </LoadFailure>
            </>
          ) : (
            <>
              <h2 id="chat-title" className="chat-title">
                {session.data.session.title}
              </h2>
              {session.data.messages.length === 0 && !turn ? (
                <p className="muted" data-testid="chat-empty">
                  No messages yet. Ask the agents anything about your marketing.
                </p>
              ) : (
                <Conversation
                  businessId={business.id}
                  sessionId={session.data.session.id}
                  messages={session.data.messages}
                  actions={session.data.actions}
                  turn={turn}
                />
              )}
              <ScrollAnchor watch={turn} />
            </>
          )}
          {stream.error !== null && (
            <div data-testid="chat-error">
              <ErrorNotice error={stream.error} title="Your message was not answered" />
            </div>
          )}
          {!(session.isError && sessionId) && (
            <Composer onSend={send} disabled={stream.streaming || create.isPending} />
          )}
        </section>
        <LearningsPanel businessId={business.id} sessionId={sessionId} />
      </div>
    </>
  );
}

/** Keeps the newest part of the reply in view while it streams. */
function ScrollAnchor({ watch }: { watch: unknown }) {
  const anchor = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (watch) anchor.current?.scrollIntoView({ block: 'nearest' });
  }, [watch]);
  return <div ref={anchor} aria-hidden="true" />;
}

function SessionList({ businessId, openId }: { businessId: string; openId: string | undefined }) {
  const sessions = useChatSessions(businessId);
  const remove = useDeleteChatSession(businessId);
  const navigate = useNavigate();
  const items = sessions.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <nav className="card chat-sessions" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Conversations</h2>
      {sessions.isPending && <Skeleton lines={4} label="Loading conversations…" />}
      {sessions.isError && (
        <ErrorNotice
          error={sessions.error}
          title="Could not load the conversations"
          onRetry={() => void sessions.refetch()}
        />
      )}
      {sessions.isSuccess && items.length === 0 && (
        <p className="muted small" data-testid="sessions-empty">
          No conversations yet. Your first message starts one.
        </p>
      )}
      {items.length > 0 && (
        <ul className="chat-session-list">
          {items.map((item) => (
            <li key={item.id} data-testid="chat-session">
              <NavLink to={`/businesses/${businessId}/chat/${item.id}`}>
                <span className="chat-session-title">{item.title}</span>
                <span className="muted small">{formatDateTime(item.lastActivityAt)}</span>
              </NavLink>
              <button
                type="button"
                className="button link"
                aria-label={`Delete the conversation “${item.title}”`}
                disabled={remove.isPending && remove.variables === item.id}
                onClick={() => {
                  if (!window.confirm(`Delete the conversation “${item.title}”?`)) return;
                  remove.mutate(item.id, {
                    onSuccess: () => {
                      if (item.id === openId) void navigate(`/businesses/${businessId}/chat`);
                    },
                  });
                }}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      {sessions.hasNextPage && (
        <button
          type="button"
          className="button secondary"
          disabled={sessions.isFetchingNextPage}
          onClick={() => void sessions.fetchNextPage()}
        >
          {sessions.isFetchingNextPage ? 'Loading…' : 'Show older'}
        </button>
      )}
      {remove.isError && (
        <ErrorNotice error={remove.error} title="Could not delete the conversation" />
      )}
    </nav>
  );
}
