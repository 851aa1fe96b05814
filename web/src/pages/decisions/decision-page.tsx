// One turn of the agents, to see why it answered as it did: the conductor's reasoning, each tool
// call with its input and (trimmed) result, the model calls behind it with their transcripts,
// and what it cost.
// The tool-input boxes (.chat-pre) are the chat's.
import '../chat/chat.css';
import './decisions.css';

import { Link, useParams } from 'react-router';

import { LoadFailure } from '../../components/error-notice';
import { formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { formatUsd } from '../../format/money';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useScopedBusiness } from '../business-scope';
import { agentName, asJson, statusClass } from '../chat/agent-labels';
import type { AgentDecisionDetail } from '../chat/types';
import { formatMs, formatTokens, OUTCOME_LABEL } from './decision-format';
import { useDecision } from './decision-queries';
import { ModelCall } from './model-call';

export function DecisionPage() {
  const business = useScopedBusiness();
  const { decisionId = '' } = useParams();
  const base = `/businesses/${business.id}`;
  const decision = useDecision(business.id, decisionId);
  useDocumentTitle('Decision', business.name);

  return (
    <>
      <PageHeader
        title="Why the agents answered this way"
        actions={
          <Link className="button secondary" to={`${base}/decisions`}>
            All decisions
          </Link>
        }
      />
      {decision.isPending && <Skeleton lines={6} height={28} label="Loading the decision…" />}
      {decision.isError && (
        <LoadFailure
          error={decision.error}
          notFoundTitle="Decision not found"
          back={{ label: 'See the decision log', to: `${base}/decisions` }}
          errorTitle="Could not load the decision"
          onRetry={() => void decision.refetch()}
        >
          <p>It may belong to another business, or the id is mistyped.</p>
        </LoadFailure>
      )}
      {decision.isSuccess && <DecisionDetail base={base} decision={decision.data} />}
    </>
  );
}

function DecisionDetail({ base, decision }: { base: string; decision: AgentDecisionDetail }) {
  return (
    <div className="stack" data-testid="decision-detail">
      <section className="card decision-summary" aria-label="Summary">
        <dl className="decision-facts">
          <div>
            <dt>When</dt>
            <dd>{formatDateTime(decision.createdAt)}</dd>
          </div>
          <div>
            <dt>Outcome</dt>
            <dd>
              <span className={`badge ${statusClass(decision.outcome)}`}>
                {OUTCOME_LABEL[decision.outcome]}
              </span>
            </dd>
          </div>
          <div>
            <dt>Agents</dt>
            <dd>{decision.agents.map(agentName).join(', ') || '—'}</dd>
          </div>
          <div>
            <dt>Model</dt>
            <dd>
              {decision.provider === 'builtin'
                ? 'Built-in agents (no AI model)'
                : (decision.model ?? decision.provider ?? '—')}
            </dd>
          </div>
          <div>
            <dt>Tokens</dt>
            <dd>{formatTokens(decision.promptTokens, decision.completionTokens)}</dd>
          </div>
          <div>
            <dt>Cost</dt>
            <dd>{formatUsd(decision.costUsd)}</dd>
          </div>
          <div>
            <dt>Latency</dt>
            <dd>
              {formatMs(decision.latencyMs)}
              {decision.firstTokenMs !== null &&
                ` (first words after ${formatMs(decision.firstTokenMs)})`}
            </dd>
          </div>
          <div>
            <dt>Channel</dt>
            <dd>{decision.channel}</dd>
          </div>
        </dl>
        {decision.sessionId && (
          <p className="small">
            <Link to={`${base}/chat/${decision.sessionId}`}>Open the conversation</Link> ·{' '}
            <Link to={`${base}/decisions?sessionId=${decision.sessionId}`}>
              Every decision of this conversation
            </Link>
          </p>
        )}
        {decision.error && (
          <div className="notice error" role="alert">
            <strong className="notice-title">{decision.error.code}</strong>
            <p>{decision.error.message}</p>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="reasoning-title">
        <h2 id="reasoning-title">Reasoning</h2>
        <p className="decision-reasoning">
          {decision.reasoning || <span className="muted">No reasoning was recorded.</span>}
        </p>
      </section>

      <section className="card" aria-labelledby="tools-title">
        <h2 id="tools-title">Tool calls</h2>
        {decision.toolCalls.length === 0 ? (
          <p className="muted">The agents answered without using a tool.</p>
        ) : (
          <ol className="decision-tools">
            {decision.toolCalls.map((call, index) => (
              <li key={index} data-testid="decision-tool-call">
                <div className="decision-tool-head">
                  <code>{call.tool}</code>
                  <span className={`badge ${statusClass(call.outcome)}`}>{call.outcome}</span>
                  <span className="muted small">
                    {agentName(call.agent)} · {formatMs(call.ms)}
                  </span>
                </div>
                <details>
                  <summary>Input</summary>
                  <pre className="chat-pre">{asJson(call.input)}</pre>
                </details>
                <details>
                  <summary>Result</summary>
                  <pre className="chat-pre">{asJson(call.result)}</pre>
                </details>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section className="card" aria-labelledby="calls-title">
        <h2 id="calls-title">Model calls</h2>
        {decision.calls.length === 0 ? (
          <p className="muted">No model was called (the built-in agents answered).</p>
        ) : (
          <ol className="decision-calls">
            {decision.calls.map((call) => (
              <ModelCall key={call.id} call={call} />
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
