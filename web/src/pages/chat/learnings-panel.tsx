// What the agents remember about this business: facts the user told them, past outcomes, and
// what they extracted from conversations. Each can be deleted; a fact can be added by hand, and
// the open conversation can be mined for new ones.
import { type SubmitEvent, useState } from 'react';

import { ErrorNotice } from '../../components/error-notice';
import { Skeleton } from '../../components/ui';
import {
  useAddLearning,
  useDeleteLearning,
  useLearnFromSession,
  useLearnings,
} from './chat-queries';
import type { Learning } from './types';

const KIND_LABEL: Record<Learning['kind'], string> = {
  fact: 'Fact',
  outcome: 'Outcome',
  extracted: 'Learned',
};

export function LearningsPanel(props: { businessId: string; sessionId: string | undefined }) {
  const { businessId, sessionId } = props;
  const learnings = useLearnings(businessId);
  const add = useAddLearning(businessId);
  const remove = useDeleteLearning(businessId);
  const learn = useLearnFromSession(businessId);
  const [fact, setFact] = useState('');
  const items = learnings.data?.items ?? [];

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const content = fact.trim();
    if (!content) return;
    add.mutate(content, {
      onSuccess: () => {
        setFact('');
      },
    });
  };

  return (
    <section className="card chat-learnings" aria-labelledby="learnings-title">
      <h2 id="learnings-title">What the agents remember</h2>
      {sessionId && (
        <div className="chat-learn">
          <button
            type="button"
            className="button secondary"
            disabled={learn.isPending}
            onClick={() => {
              learn.mutate(sessionId);
            }}
          >
            {learn.isPending ? 'Learning…' : 'Learn from this conversation'}
          </button>
          {learn.isSuccess && learn.variables === sessionId && (
            <div role="status" data-testid="learned">
              {learn.data.items.length === 0 ? (
                <p className="muted small">Nothing new worth remembering in this conversation.</p>
              ) : (
                <>
                  <p className="small">
                    Learned {learn.data.items.length}{' '}
                    {learn.data.items.length === 1 ? 'fact' : 'facts'}:
                  </p>
                  <ul className="small">
                    {learn.data.items.map((item) => (
                      <li key={item.id}>{item.content}</li>
                    ))}
                  </ul>
                </>
              )}
            </div>
          )}
          {learn.isError && (
            <ErrorNotice error={learn.error} title="Could not learn from this conversation" />
          )}
        </div>
      )}
      <form className="chat-fact-form" onSubmit={submit}>
        <label htmlFor="learning-input">Add a fact</label>
        <div className="chat-fact-row">
          <input
            id="learning-input"
            type="text"
            maxLength={1000}
            placeholder="e.g. We never discount the sourdough"
            value={fact}
            onChange={(event) => {
              setFact(event.target.value);
            }}
          />
          <button
            type="submit"
            className="button secondary"
            disabled={add.isPending || !fact.trim()}
          >
            {add.isPending ? 'Saving…' : 'Remember'}
          </button>
        </div>
      </form>
      {add.isError && <ErrorNotice error={add.error} title="Could not save the fact" />}
      {learnings.isPending && <Skeleton lines={3} label="Loading what the agents remember…" />}
      {learnings.isError && (
        <ErrorNotice
          error={learnings.error}
          title="Could not load what the agents remember"
          onRetry={() => void learnings.refetch()}
        />
      )}
      {learnings.isSuccess && items.length === 0 && (
        <p className="muted small" data-testid="learnings-empty">
          Nothing yet. Facts you add, and what the agents learn from your conversations, are
          recalled when they answer.
        </p>
      )}
      {items.length > 0 && (
        <ul className="chat-learning-list">
          {items.map((item) => (
            <li key={item.id} data-testid="learning">
              <span className="badge">{KIND_LABEL[item.kind]}</span> <span>{item.content}</span>
              <button
                type="button"
                className="button link"
                aria-label={`Forget: ${item.content}`}
                disabled={remove.isPending && remove.variables === item.id}
                onClick={() => {
                  if (window.confirm(`Forget “${item.content}”?`)) remove.mutate(item.id);
                }}
              >
                Forget
              </button>
            </li>
          ))}
        </ul>
      )}
      {remove.isError && <ErrorNotice error={remove.error} title="Could not forget that" />}
    </section>
  );
}
