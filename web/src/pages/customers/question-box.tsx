// "Ask about your customers": a question in plain words, answered with the rule it was read as
// (shown first, so the reader checks what was counted before trusting it), then the count, a
// summary and the first customers. A question Herald cannot express says what can be asked.
import { type SyntheticEvent, useState } from 'react';

import { ApiError } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { Skeleton } from '../../components/ui';
import { customerColumns } from './customer-columns';
import { type QuestionAnswer, useAskQuestion } from './customer-queries';

const EXAMPLES = [
  'Who is about to leave?',
  'Top 10% by lifetime value',
  'At risk with CLV in the top 20 %',
  'No order in 90 days',
];

export function QuestionBox({ businessId }: { businessId: string }) {
  const [question, setQuestion] = useState('');
  const ask = useAskQuestion(businessId);

  function submit(event: SyntheticEvent) {
    event.preventDefault();
    const text = question.trim();
    if (text) ask.mutate(text);
  }

  return (
    <section className="card question-box" aria-labelledby="question-title">
      <h2 id="question-title">Ask about your customers</h2>
      <form className="question-form" onSubmit={submit}>
        <label className="visually-hidden" htmlFor="question-input">
          Your question
        </label>
        <input
          id="question-input"
          type="text"
          maxLength={500}
          placeholder={`e.g. ${EXAMPLES[0] ?? ''}`}
          value={question}
          onChange={(event) => {
            setQuestion(event.target.value);
          }}
        />
        <button type="submit" className="button" disabled={ask.isPending || !question.trim()}>
          {ask.isPending ? 'Asking…' : 'Ask'}
        </button>
      </form>
      <p className="muted small">
        Try:{' '}
        {EXAMPLES.map((example, index) => (
          <span key={example}>
            {index > 0 && ' · '}
            <button
              type="button"
              className="button link"
              onClick={() => {
                setQuestion(example);
                ask.mutate(example);
              }}
            >
              {example}
            </button>
          </span>
        ))}
      </p>
      {ask.isPending && <Skeleton lines={3} height={24} label="Reading your question…" />}
      {ask.isError && <QuestionError error={ask.error} />}
      {ask.isSuccess && <Answer businessId={businessId} answer={ask.data} />}
    </section>
  );
}

function QuestionError({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.code === 'UNPROCESSABLE') {
    const canAsk = Array.isArray(error.details.canAsk)
      ? error.details.canAsk.filter((item): item is string => typeof item === 'string')
      : [];
    return (
      <div className="notice warning" role="alert" data-testid="question-unsupported">
        <p>
          <strong>Herald can’t answer that one.</strong> {error.message}
        </p>
        {canAsk.length > 0 && (
          <>
            <p>You can ask about:</p>
            <ul>
              {canAsk.map((item) => (
                <li key={item}>{item}</li>
              ))}
            </ul>
          </>
        )}
      </div>
    );
  }
  return <ErrorNotice error={error} title="Could not answer the question" />;
}

function Answer({ businessId, answer }: { businessId: string; answer: QuestionAnswer }) {
  return (
    <div className="question-answer" data-testid="question-answer">
      <p className="question-rule" data-testid="question-rule">
        <span className="muted">Read as:</span> {answer.readable}
      </p>
      <p className="question-count" data-testid="question-count" role="status">
        {answer.count === 1 ? '1 customer' : `${answer.count.toLocaleString()} customers`}
      </p>
      <p data-testid="question-summary">{answer.summary}</p>
      <p className="muted small" data-testid="question-generated-by">
        {answer.generatedBy.note}
      </p>
      {answer.customers.length > 0 ? (
        <DataTable
          label="Customers answering the question"
          rows={answer.customers}
          rowKey={(customer) => customer.id}
          rowTestId="question-row"
          columns={customerColumns(businessId)}
        />
      ) : (
        <p className="muted" data-testid="question-empty">
          No customer matches this today.
        </p>
      )}
    </div>
  );
}
