// The decision log: one row per turn the agents took (which agents, which tools, tokens, cost,
// latency and how it ended), filtered by agent, outcome and conversation; each opens the detail
// of why it answered as it did.
import './decisions.css';

import { Link, useSearchParams } from 'react-router';

import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, Field, formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { formatUsd } from '../../format/money';
import { useDebounced } from '../../hooks/use-debounced';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useScopedBusiness } from '../business-scope';
import { agentName, statusClass } from '../chat/agent-labels';
import type { DecisionOutcome } from '../chat/types';
import { formatMs, OUTCOME_LABEL, toolsOf } from './decision-format';
import { type DecisionFilter, useDecisions } from './decision-queries';

const OUTCOMES = Object.keys(OUTCOME_LABEL) as DecisionOutcome[];

const TYPING_PAUSE_MS = 400;

function asOutcome(value: string | null): DecisionOutcome | '' {
  return OUTCOMES.find((outcome) => outcome === value) ?? '';
}

export function DecisionsPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Decision log', business.name);
  const base = `/businesses/${business.id}`;
  // The filter lives in the address, so a reply's "Why?" and the chat's link land filtered.
  const [params, setParams] = useSearchParams();
  const agentInput = params.get('agent') ?? '';
  // One request when the typing pauses, not one per key (the API limits requests per minute).
  const agent = useDebounced(agentInput, TYPING_PAUSE_MS);
  const filter: DecisionFilter = {
    agent,
    outcome: asOutcome(params.get('outcome')),
    sessionId: params.get('sessionId') ?? '',
  };
  const decisions = useDecisions(business.id, filter);
  const items = decisions.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Boolean(filter.agent || filter.outcome || filter.sessionId);

  const setParam = (name: string, value: string) => {
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  };

  return (
    <>
      <PageHeader
        title="Decision log"
        description="Every turn the agents took: who answered, which tools they used, what it cost and how long it took. Open one to see why."
        actions={
          <Link className="button secondary" to={`${base}/chat`}>
            Back to chat
          </Link>
        }
      />
      <div className="toolbar decisions-filters">
        <Field label="Agent">
          {({ id }) => (
            <input
              id={id}
              type="search"
              value={agentInput}
              placeholder="e.g. copywriter"
              onChange={(event) => {
                setParam('agent', event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Outcome">
          {({ id }) => (
            <select
              id={id}
              value={filter.outcome}
              onChange={(event) => {
                setParam('outcome', event.target.value);
              }}
            >
              <option value="">Any</option>
              {OUTCOMES.map((outcome) => (
                <option key={outcome} value={outcome}>
                  {OUTCOME_LABEL[outcome]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {filter.sessionId && (
          <p className="decisions-session small">
            One conversation only. <Link to={`${base}/chat/${filter.sessionId}`}>Open it</Link> ·{' '}
            <button
              type="button"
              className="button link"
              onClick={() => {
                setParam('sessionId', '');
              }}
            >
              Show all conversations
            </button>
          </p>
        )}
      </div>
      {decisions.isPending && <Skeleton lines={5} height={40} label="Loading the decision log…" />}
      {decisions.isError && (
        <ErrorNotice
          error={decisions.error}
          title="Could not load the decision log"
          onRetry={() => void decisions.refetch()}
        />
      )}
      {decisions.isSuccess && items.length === 0 && (
        <EmptyState
          title={filtered ? 'No decisions match' : 'No decisions yet'}
          testId="decisions-empty"
          action={filtered ? undefined : { label: 'Ask the agents', to: `${base}/chat` }}
        >
          <p>
            {filtered
              ? 'Nothing the agents did matches this filter. Clear it to see every turn.'
              : 'Each time the agents answer in the chat, the turn is logged here with its tools, cost and reasoning.'}
          </p>
        </EmptyState>
      )}
      {items.length > 0 && (
        <div className="decisions-table">
          <DataTable
            label="Decisions"
            rows={items}
            rowKey={(decision) => decision.id}
            rowTestId="decision-row"
            columns={[
              {
                header: 'When',
                cell: (decision) => (
                  <Link to={`${base}/decisions/${decision.id}`}>
                    {formatDateTime(decision.createdAt)}
                  </Link>
                ),
              },
              {
                header: 'Agents',
                cell: (decision) => decision.agents.map(agentName).join(', ') || '—',
              },
              {
                header: 'Tools',
                className: 'hide-narrow',
                cellClassName: 'hide-narrow break',
                cell: (decision) => toolsOf(decision.toolCalls).join(', ') || '—',
              },
              {
                header: 'Outcome',
                cell: (decision) => (
                  <span className={`badge ${statusClass(decision.outcome)}`}>
                    {OUTCOME_LABEL[decision.outcome]}
                  </span>
                ),
              },
              {
                header: 'Tokens',
                className: 'number hide-narrow',
                cell: (decision) =>
                  (decision.promptTokens + decision.completionTokens).toLocaleString(),
              },
              {
                header: 'Cost',
                className: 'number',
                cell: (decision) => formatUsd(decision.costUsd),
              },
              {
                header: 'Latency',
                className: 'number hide-narrow',
                cell: (decision) => formatMs(decision.latencyMs),
              },
            ]}
          />
        </div>
      )}
      {decisions.hasNextPage && (
        <button
          type="button"
          className="button secondary"
          disabled={decisions.isFetchingNextPage}
          onClick={() => void decisions.fetchNextPage()}
        >
          {decisions.isFetchingNextPage ? 'Loading…' : 'Show older'}
        </button>
      )}
    </>
  );
}
