// @vitest-environment happy-dom
// The decision log's states: nothing logged yet (with the way to the chat), a filter that matches
// nothing, a failure to load (explained, with a retry that works), the rows of a filled log, and
// one decision with its tool calls and a model call's transcript fetched on demand.
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { Route } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';

import { BASE, BUSINESS_ID, json, renderPage, type SentRequest } from '../chat/test-harness';
import type { AgentDecision, AgentDecisionDetail } from '../chat/types';
import { DecisionPage } from './decision-page';
import { DecisionsPage } from './decisions-page';

afterEach(cleanup);

const DECISION_ID = '00000000-0000-4000-8000-0000000000d1';
const SESSION_ID = '00000000-0000-4000-8000-0000000000c1';

const decision: AgentDecision = {
  id: DECISION_ID,
  sessionId: SESSION_ID,
  messageId: 'm1',
  channel: 'chat',
  agents: ['copywriter', 'analyst'],
  reasoning: 'A post to write from last month’s numbers.',
  toolCalls: [
    {
      agent: 'analyst',
      tool: 'campaign_metrics',
      input: { campaignId: 'c1' },
      result: { clicks: 120 },
      outcome: 'done',
      ms: 40,
    },
  ],
  promptTokens: 1200,
  completionTokens: 300,
  costUsd: 0.0123,
  latencyMs: 2400,
  firstTokenMs: 600,
  outcome: 'success',
  error: null,
  provider: 'openai',
  model: 'gpt-test',
  createdAt: '2026-12-01T10:00:00.000Z',
};

const serverError = () =>
  json(500, {
    error: { code: 'INTERNAL', message: 'Internal error', details: {}, correlationId: 'c-500' },
    timestamp: '2026-12-01T10:00:00.000Z',
  });

function renderLog(path: string, answer: (request: SentRequest) => Response | undefined) {
  return renderPage({
    path: `/businesses/${BUSINESS_ID}/${path}`,
    routes: (
      <>
        <Route path="decisions" element={<DecisionsPage />} />
        <Route path="decisions/:decisionId" element={<DecisionPage />} />
        <Route path="chat/:sessionId?" element={<p>Chat page</p>} />
      </>
    ),
    answer,
  });
}

describe('DecisionsPage', () => {
  it('says nothing is logged yet and leads to the chat', async () => {
    renderLog('decisions', () => json(200, { items: [], nextCursor: null }));
    const empty = await screen.findByTestId('decisions-empty');
    expect(empty.textContent).toContain('No decisions yet');
    expect(within(empty).getByRole('link', { name: 'Ask the agents' }).getAttribute('href')).toBe(
      `/businesses/${BUSINESS_ID}/chat`,
    );
  });

  it('sends the filter of the address and says when it matches nothing', async () => {
    const { requests } = renderLog(`decisions?sessionId=${SESSION_ID}&outcome=failed`, () =>
      json(200, { items: [], nextCursor: null }),
    );
    const empty = await screen.findByTestId('decisions-empty');
    expect(empty.textContent).toContain('No decisions match');
    const query = new URLSearchParams(requests[0]?.search);
    expect(query.get('sessionId')).toBe(SESSION_ID);
    expect(query.get('outcome')).toBe('failed');
    expect(screen.getByLabelText<HTMLSelectElement>('Outcome').value).toBe('failed');
  });

  it('explains a failure to load, and its retry shows the log', async () => {
    let failing = true;
    renderLog('decisions', () =>
      failing ? serverError() : json(200, { items: [decision], nextCursor: null }),
    );
    const notice = await screen.findByTestId('server-error');
    expect(notice.textContent).toContain('Could not load the decision log');
    expect(within(notice).getByTestId('correlation-id').textContent).toBe('c-500');
    failing = false;
    fireEvent.click(within(notice).getByRole('button', { name: 'Try again' }));
    const row = await screen.findByTestId('decision-row');
    expect(row.textContent).toContain('Copywriter, Analyst');
    expect(row.textContent).toContain('campaign_metrics');
    expect(row.textContent).toContain('1,500');
    expect(row.textContent).toContain('2.4 s');
  });
});

describe('DecisionPage', () => {
  it('shows the reasoning, the tool calls, and a model call’s transcript when asked', async () => {
    const detail: AgentDecisionDetail = {
      ...decision,
      calls: [
        {
          id: 'call-1',
          task: 'agent.turn',
          model: 'gpt-test',
          outcome: 'success',
          promptTokens: 1200,
          completionTokens: 300,
          latencyMs: 2300,
          hasTranscript: true,
        },
      ],
    };
    const { requests } = renderLog(`decisions/${DECISION_ID}`, (request) => {
      if (request.path === `${BASE}/chat/decisions/${DECISION_ID}`) return json(200, detail);
      if (request.path === `${BASE}/ai/calls/call-1/transcript`) {
        return json(200, { prompt: { system: 'You are the conductor' }, response: 'ok' });
      }
      return undefined;
    });
    await screen.findByTestId('decision-detail');
    expect(screen.getByText('A post to write from last month’s numbers.')).toBeTruthy();
    expect(screen.getByTestId('decision-tool-call').textContent).toContain('"clicks": 120');
    expect(requests.some((request) => request.path.endsWith('/transcript'))).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Show the transcript' }));
    const prompt = await screen.findByTestId('transcript-prompt');
    expect(prompt.textContent).toContain('You are the conductor');
  });

  it('says a decision of another business is not found', async () => {
    renderLog(`decisions/${DECISION_ID}`, () => undefined);
    expect((await screen.findByTestId('empty-state')).textContent).toContain('Decision not found');
  });
});
