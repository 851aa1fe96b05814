// @vitest-environment happy-dom
// The agents' memory beside the chat: empty at first, a fact added by hand joins the list, and
// "Learn from this conversation" shows what the agents kept from it.
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';

import { LearningsPanel } from './learnings-panel';
import { BASE, BUSINESS_ID, json, renderPage } from './test-harness';
import type { Learning } from './types';

afterEach(cleanup);

const SESSION_ID = '00000000-0000-4000-8000-0000000000c1';

const learning = (id: string, kind: Learning['kind'], content: string): Learning => ({
  id,
  kind,
  content,
  sessionId: kind === 'extracted' ? SESSION_ID : null,
  createdAt: '2026-12-01T10:00:00.000Z',
});

describe('LearningsPanel', () => {
  it('adds a fact, and shows what the agents learned from the conversation', async () => {
    const stored: Learning[] = [];
    const { requests } = renderPage({
      path: `/businesses/${BUSINESS_ID}/chat`,
      routes: (
        <Route
          path="chat"
          element={<LearningsPanel businessId={BUSINESS_ID} sessionId={SESSION_ID} />}
        />
      ),
      answer: (request) => {
        if (request.path === `${BASE}/chat/learnings` && request.method === 'GET') {
          return json(200, { items: stored });
        }
        if (request.path === `${BASE}/chat/learnings` && request.method === 'POST') {
          const added = learning('l1', 'fact', (request.body as { content: string }).content);
          stored.push(added);
          return json(201, added);
        }
        if (request.path === `${BASE}/chat/sessions/${SESSION_ID}/learn`) {
          const extracted = [learning('l2', 'extracted', 'Saturday mornings sell out by 11:00')];
          stored.push(...extracted);
          return json(200, { items: extracted });
        }
        return undefined;
      },
    });
    expect(await screen.findByTestId('learnings-empty')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Add a fact'), {
      target: { value: 'We never discount the sourdough' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Remember' }));
    await waitFor(() => {
      expect(screen.getAllByTestId('learning').map((item) => item.textContent)).toEqual([
        expect.stringContaining('We never discount the sourdough'),
      ]);
    });
    expect(screen.getByLabelText<HTMLInputElement>('Add a fact').value).toBe('');

    fireEvent.click(screen.getByRole('button', { name: 'Learn from this conversation' }));
    const learned = await screen.findByTestId('learned');
    expect(learned.textContent).toContain('Learned 1 fact');
    expect(within(learned).getByText('Saturday mornings sell out by 11:00')).toBeTruthy();
    await waitFor(() => {
      expect(screen.getAllByTestId('learning')).toHaveLength(2);
    });
    expect(requests.find((request) => request.method === 'POST')?.body).toEqual({
      content: 'We never discount the sourdough',
    });
  });
});
