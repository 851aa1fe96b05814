// @vitest-environment happy-dom
// The knowledge base page: its empty state, a missing title or text said beside the field before
// anything is sent, a PDF sent as base64, and the documents with their status and passages.
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';

import { BASE, BUSINESS_ID, json, renderPage } from '../chat/test-harness';
import type { KnowledgeDocument } from '../chat/types';
import { KnowledgePage } from './knowledge-page';

afterEach(cleanup);

const faq: KnowledgeDocument = {
  id: '00000000-0000-4000-8000-0000000000e1',
  title: 'Bakery FAQ',
  format: 'pdf',
  sourceUrl: null,
  bytes: 2048,
  chunkCount: 7,
  status: 'ready',
  error: null,
  createdAt: '2026-12-01T10:00:00.000Z',
};

function renderKnowledge() {
  const documents: KnowledgeDocument[] = [];
  const rendered = renderPage({
    path: `/businesses/${BUSINESS_ID}/knowledge`,
    routes: <Route path="knowledge" element={<KnowledgePage />} />,
    answer: (request) => {
      if (request.path !== `${BASE}/knowledge/documents`) return undefined;
      if (request.method === 'GET') return json(200, { items: documents, nextCursor: null });
      documents.push(faq);
      return json(201, faq);
    },
  });
  return rendered;
}

describe('KnowledgePage', () => {
  it('starts empty, refuses an untitled empty text, and sends a PDF as base64', async () => {
    const { requests } = renderKnowledge();
    expect((await screen.findByTestId('knowledge-empty')).textContent).toContain(
      'No documents yet',
    );

    fireEvent.click(screen.getByRole('button', { name: 'Add to the knowledge base' }));
    expect(await screen.findByText('Give the document a title.')).toBeTruthy();
    expect(screen.getByText('Write or paste the text.')).toBeTruthy();
    expect(requests.some((request) => request.method === 'POST')).toBe(false);

    fireEvent.click(screen.getByLabelText('A PDF file'));
    const file = new File(['%PDF-1.4 hello'], 'Bakery FAQ.pdf', { type: 'application/pdf' });
    fireEvent.change(screen.getByLabelText('PDF file'), { target: { files: [file] } });
    fireEvent.click(screen.getByRole('button', { name: 'Add to the knowledge base' }));

    const row = await screen.findByTestId('knowledge-row');
    expect(row.textContent).toContain('Bakery FAQ');
    expect(within(row).getByText('Ready')).toBeTruthy();
    expect(row.textContent).toContain('7');
    const upload = requests.find((request) => request.method === 'POST');
    expect(upload?.body).toEqual({
      title: 'Bakery FAQ',
      format: 'pdf',
      contentBase64: btoa('%PDF-1.4 hello'),
    });
    await waitFor(() => {
      expect(screen.queryByTestId('knowledge-empty')).toBeNull();
    });
  });
});
