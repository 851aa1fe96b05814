// The knowledge base API with the builtin embedder: text, markdown and HTML documents are cut
// into stored, embedded passages; search finds the passage that answers; another tenant's
// document is a 404; a private URL is refused without being fetched; over-size is 413; bad input
// is 400 and stores nothing; a PDF's text is read (a broken or oversized one is refused).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BUILTIN_EMBEDDING_MODEL } from '../../src/ai/embeddings.ts';
import { knowledgeChunks, knowledgeDocuments } from '../../src/platform/db/schema/index.ts';
import { api as request, type Method } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { newBusiness, newUser, type TestUser } from '../helpers/fixtures.ts';
import { pdfOf } from '../helpers/pdf.ts';

interface Doc {
  id: string;
  title: string;
  format: string;
  status: string;
  chunkCount: number;
  bytes: number;
  sourceUrl: string | null;
  embeddingModel: string | null;
  chunks?: { ordinal: number; excerpt: string }[];
}
interface Hit {
  chunkId: string;
  documentId: string;
  title: string;
  ordinal: number;
  excerpt: string;
  score: number;
}
interface ErrorBody {
  error: { code: string; message: string; details?: { issues?: { path: string }[] } };
}

const SHIPPING = [
  'Shipping. We ship our bread boxes everywhere in France within two days.',
  'Orders placed before noon leave the bakery the same afternoon by courier.',
].join(' ');
const REFUNDS =
  'Refunds. A stale or damaged loaf is refunded in full: email a photo within a week.';
const ALLERGENS =
  'Allergens. Every loaf contains wheat gluten; the seeded rye also contains sesame.';

describe('the knowledge base', () => {
  let ctx: TestApp;
  let owner: TestUser;
  let businessId: string;
  let base: string;
  const api = <T>(method: Method, url: string, payload?: object, expected?: number) =>
    request<T>(ctx.app, owner, method, url, payload, expected);
  const countRows = async () => {
    const db = ctx.runtime.database.db;
    const documents = await db
      .select()
      .from(knowledgeDocuments)
      .where(eq(knowledgeDocuments.businessId, businessId));
    const chunks = await db
      .select()
      .from(knowledgeChunks)
      .where(eq(knowledgeChunks.businessId, businessId));
    return { documents: documents.length, chunks: chunks.length };
  };

  beforeAll(async () => {
    ctx = await buildTestApp();
    owner = await newUser(ctx.app);
    businessId = (await newBusiness(ctx.app, owner)).id;
    base = `/api/v1/businesses/${businessId}/knowledge`;
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('stores a text, a markdown and an HTML document as embedded passages, and search finds the one that answers first', async () => {
    const text = await api<Doc>(
      'POST',
      `${base}/documents`,
      { title: 'Shipping policy', format: 'text', content: SHIPPING },
      201,
    );
    expect(text.body).toMatchObject({ status: 'ready', chunkCount: 1, format: 'text' });
    expect(text.body.embeddingModel).toBe(BUILTIN_EMBEDDING_MODEL);

    const markdown = await api<Doc>(
      'POST',
      `${base}/documents`,
      {
        title: 'Refund policy',
        format: 'markdown',
        content: `# Our promise\n\n**${REFUNDS}**\n\n- [Contact us](https://example.com/contact)`,
      },
      201,
    );
    const html = await api<Doc>(
      'POST',
      `${base}/documents`,
      {
        title: 'Allergens',
        format: 'html',
        content: `<html><head><style>p{color:red}</style></head><body><h1>Labels</h1><p>${ALLERGENS}</p><script>alert("x")</script></body></html>`,
      },
      201,
    );

    const detail = await api<Doc>('GET', `${base}/documents/${markdown.body.id}`, undefined, 200);
    const markdownText = detail.body.chunks?.map((chunk) => chunk.excerpt).join(' ') ?? '';
    expect(markdownText).toContain('Our promise');
    expect(markdownText).toContain('refunded in full');
    expect(markdownText).not.toMatch(/[#*[\]]/);
    const htmlDetail = await api<Doc>('GET', `${base}/documents/${html.body.id}`, undefined, 200);
    const htmlText = htmlDetail.body.chunks?.map((chunk) => chunk.excerpt).join(' ') ?? '';
    expect(htmlText).toContain('seeded rye also contains sesame');
    expect(htmlText).not.toMatch(/<|color:red|alert/);

    const stored = await countRows();
    expect(stored).toEqual({ documents: 3, chunks: 3 });

    const search = await api<{ items: Hit[] }>(
      'GET',
      `${base}/search?q=${encodeURIComponent('does the rye bread contain sesame?')}`,
      undefined,
      200,
    );
    expect(search.body.items[0]).toMatchObject({ documentId: html.body.id, title: 'Allergens' });
    expect(search.body.items[0]?.excerpt).toContain('sesame');
    const refund = await api<{ items: Hit[] }>(
      'GET',
      `${base}/search?q=${encodeURIComponent('how do I get a refund for a damaged loaf')}`,
      undefined,
      200,
    );
    expect(refund.body.items[0]?.documentId).toBe(markdown.body.id);
    expect(refund.body.items[0]?.score).toBeGreaterThan(refund.body.items[1]?.score ?? -1);

    const list = await api<{ items: Doc[]; nextCursor: string | null }>(
      'GET',
      `${base}/documents?limit=2`,
      undefined,
      200,
    );
    expect(list.body.items.map((doc) => doc.title)).toEqual(['Allergens', 'Refund policy']);
    const next = await api<{ items: Doc[] }>(
      'GET',
      `${base}/documents?limit=2&cursor=${list.body.nextCursor ?? ''}`,
      undefined,
      200,
    );
    expect(next.body.items.map((doc) => doc.title)).toEqual(['Shipping policy']);

    await api('DELETE', `${base}/documents/${text.body.id}`, undefined, 204);
    await api('GET', `${base}/documents/${text.body.id}`, undefined, 404);
    expect(await countRows()).toEqual({ documents: 2, chunks: 2 });
  });

  it('cuts a long document into passages of about a thousand characters, in order', async () => {
    const paragraphs = Array.from({ length: 12 }, (_, n) =>
      `Paragraph ${String(n)} talks about sourdough starter number ${String(n)}. `.repeat(4),
    );
    const created = await api<Doc>(
      'POST',
      `${base}/documents`,
      { title: 'Starters', format: 'text', content: paragraphs.join('\n\n') },
      201,
    );
    expect(created.body.chunkCount).toBeGreaterThan(2);
    const detail = await api<Doc>('GET', `${base}/documents/${created.body.id}`, undefined, 200);
    expect(detail.body.chunks?.map((chunk) => chunk.ordinal)).toEqual(
      Array.from({ length: created.body.chunkCount }, (_, n) => n),
    );
    const rows = await ctx.runtime.database.db
      .select()
      .from(knowledgeChunks)
      .where(eq(knowledgeChunks.documentId, created.body.id));
    for (const row of rows) {
      expect(row.content.length).toBeLessThanOrEqual(1000);
      expect(row.embedding).toHaveLength(256);
    }
    await api('DELETE', `${base}/documents/${created.body.id}`, undefined, 204);
  });

  it('answers 404 for another business’s document, for reading, deleting and searching', async () => {
    const created = await api<Doc>(
      'POST',
      `${base}/documents`,
      {
        title: 'Secret recipe',
        format: 'text',
        content: 'Our croissant dough rests for 36 hours.',
      },
      201,
    );
    const stranger = await newUser(ctx.app);
    const theirs = (await newBusiness(ctx.app, stranger)).id;
    const asStranger = <T>(method: Method, url: string, expected: number) =>
      request<T>(ctx.app, stranger, method, url, undefined, expected);
    await asStranger('GET', `${base}/documents/${created.body.id}`, 404);
    await asStranger('DELETE', `${base}/documents/${created.body.id}`, 404);
    await asStranger('GET', `${base}/documents`, 404);
    await asStranger(
      'GET',
      `/api/v1/businesses/${theirs}/knowledge/documents/${created.body.id}`,
      404,
    );
    const search = await asStranger<{ items: Hit[] }>(
      'GET',
      `/api/v1/businesses/${theirs}/knowledge/search?q=croissant+dough`,
      200,
    );
    expect(search.body.items).toEqual([]);
    const anonymous = await ctx.app.inject({ method: 'GET', url: `${base}/documents` });
    expect(anonymous.statusCode).toBe(401);
    await api('DELETE', `${base}/documents/${created.body.id}`, undefined, 204);
  });

  it('refuses a private address with 400 without fetching it', async () => {
    let hits = 0;
    const server = createServer((_request, response) => {
      hits++;
      response.end('<p>internal admin page</p>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const before = await countRows();
      for (const url of [
        `http://127.0.0.1:${String(port)}/admin`,
        `http://localhost:${String(port)}/admin`,
        `http://[::1]:${String(port)}/admin`,
        'http://169.254.169.254/latest/meta-data/',
      ]) {
        const refused = await api<ErrorBody>(
          'POST',
          `${base}/documents`,
          { title: 'Internal', format: 'html', url },
          400,
        );
        expect(refused.body.error.details?.issues?.[0]?.path, url).toBe('body.url');
      }
      const scheme = await api<ErrorBody>(
        'POST',
        `${base}/documents`,
        { title: 'File', format: 'text', url: 'file:///etc/passwd' },
        400,
      );
      expect(scheme.body.error.code).toBe('VALIDATION_ERROR');
      expect(hits).toBe(0);
      expect(await countRows()).toEqual(before);
    } finally {
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });

  it('answers 413 above 2 MB and 400 for bad input, storing nothing', async () => {
    const before = await countRows();
    const big = await api<ErrorBody>(
      'POST',
      `${base}/documents`,
      { title: 'Big', format: 'text', content: 'word '.repeat(430_000) },
      413,
    );
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    for (const body of [
      { format: 'text', content: 'no title' },
      { title: 'Both', format: 'text', content: 'a', url: 'https://example.com/' },
      { title: 'Neither', format: 'text' },
      { title: 'Unknown format', format: 'docx', content: 'a' },
      { title: 'Text as base64', format: 'text', contentBase64: 'aGVsbG8=' },
      { title: 'Only punctuation', format: 'text', content: '   \n\n  ' },
    ]) {
      const refused = await api<ErrorBody>('POST', `${base}/documents`, body, 400);
      expect(refused.body.error.code, JSON.stringify(body)).toBe('VALIDATION_ERROR');
    }
    const broken = await api<ErrorBody>(
      'POST',
      `${base}/documents`,
      { title: 'Menu', format: 'pdf', contentBase64: Buffer.from('%PDF-1.4').toString('base64') },
      400,
    );
    expect(broken.body.error.message).toBe('the file is not a readable PDF');
    expect(broken.body.error.details?.issues?.[0]?.path).toBe('body.contentBase64');
    const tooLong = pdfOf(Array.from({ length: 501 }, (_, page) => [`Page ${page + 1}`]));
    const pages = await api<ErrorBody>(
      'POST',
      `${base}/documents`,
      { title: 'Catalogue', format: 'pdf', contentBase64: tooLong.toString('base64') },
      400,
    );
    expect(pages.body.error.message).toBe('the PDF has 501 pages; at most 500 are read');
    expect(await countRows()).toEqual(before);
  });

  it('reads a PDF’s text, page by page, and finds its passage', async () => {
    const file = pdfOf([
      ['Opening hours.', 'The bakery opens at seven every day except Monday.'],
      ['Wholesale.', 'Cafes order by Thursday noon for the following week.'],
    ]);
    const created = await api<Doc>(
      'POST',
      `${base}/documents`,
      { title: 'House rules', format: 'pdf', contentBase64: file.toString('base64') },
      201,
    );
    expect(created.body).toMatchObject({ format: 'pdf', status: 'ready', bytes: file.length });
    const detail = await api<Doc>('GET', `${base}/documents/${created.body.id}`);
    const text = (detail.body.chunks ?? []).map((chunk) => chunk.excerpt).join(' ');
    expect(text).toContain('The bakery opens at seven every day except Monday.');
    expect(text).toContain('Cafes order by Thursday noon for the following week.');
    const hits = await api<{ items: Hit[] }>(
      'GET',
      `${base}/search?q=${encodeURIComponent('when do cafes order wholesale')}`,
    );
    expect(hits.body.items[0]).toMatchObject({ documentId: created.body.id, title: 'House rules' });
    expect(hits.body.items[0]?.excerpt).toContain('Thursday noon');
  });
});
