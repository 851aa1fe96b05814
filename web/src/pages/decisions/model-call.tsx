// One model call (an attempt) of a decision or a job: its task, model, outcome, tokens and time,
// and its kept transcript (prompt and response, secrets redacted) behind a button.
import '../chat/chat.css';
import './decisions.css';

import { useState } from 'react';

import { ErrorNotice } from '../../components/error-notice';
import { Skeleton } from '../../components/ui';
import { taskLabel } from '../../format/labels';
import { useScopedBusiness } from '../business-scope';
import { asJson, statusClass } from '../chat/agent-labels';
import type { DecisionModelCall } from '../chat/types';
import { formatMs, formatTokens } from './decision-format';
import { useTranscript } from './decision-queries';

export function ModelCall({ call }: { call: DecisionModelCall }) {
  const business = useScopedBusiness();
  const [open, setOpen] = useState(false);
  const transcript = useTranscript(business.id, call.id, open);
  const panelId = `transcript-${call.id}`;
  return (
    <li data-testid="decision-model-call">
      <div className="decision-tool-head">
        <strong>{taskLabel(call.task)}</strong>
        <code>{call.model}</code>
        <span className={`badge ${statusClass(call.outcome)}`}>{call.outcome}</span>
        <span className="muted small">
          {formatTokens(call.promptTokens, call.completionTokens)} · {formatMs(call.latencyMs)}
        </span>
      </div>
      {call.hasTranscript ? (
        <button
          type="button"
          className="button link"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => {
            setOpen((value) => !value);
          }}
        >
          {open ? 'Hide the transcript' : 'Show the transcript'}
        </button>
      ) : (
        <p className="muted small">No transcript kept (they are purged after a while).</p>
      )}
      {open && (
        <div id={panelId}>
          {transcript.isPending && <Skeleton lines={4} label="Loading the transcript…" />}
          {transcript.isError && (
            <ErrorNotice
              error={transcript.error}
              title="Could not load the transcript"
              onRetry={() => void transcript.refetch()}
            />
          )}
          {transcript.isSuccess && (
            <>
              <h3 className="small">Prompt</h3>
              <pre className="chat-pre" data-testid="transcript-prompt">
                {asJson(transcript.data.prompt)}
              </pre>
              <h3 className="small">Response</h3>
              <pre className="chat-pre">{asJson(transcript.data.response)}</pre>
            </>
          )}
        </div>
      )}
    </li>
  );
}
