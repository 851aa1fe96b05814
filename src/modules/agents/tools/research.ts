// The researcher's tools: the business's knowledge base (passages cited by number) and web
// search where a provider is configured. Without one, search_web says so instead of guessing,
// so the researcher can tell the user it cannot search.
import { z } from 'zod';

import type { WebSearch } from '../../../platform/web-search.ts';
import type { KnowledgeService } from '../../knowledge/index.ts';
import { defineTool } from '../tool-registry.ts';
import { clip } from './shared.ts';

const Query = z.string().trim().min(2).max(300);

export function researchTools(services: {
  knowledge: KnowledgeService;
  webSearch: WebSearch | undefined;
}) {
  const { knowledge, webSearch } = services;
  return [
    defineTool({
      name: 'search_knowledge',
      description:
        "Searches the business's knowledge base (the documents it uploaded) for the passages closest to a query. Returns numbered passages with their document titles: cite a passage you use as [n].",
      input: z.object({
        query: Query.describe('What to look for, in a few words or a question'),
        limit: z.number().int().min(1).max(10).default(5).describe('How many passages (1–10)'),
      }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['knowledge', 'document', 'documents', 'docs', 'research', 'source', 'sources'],
      async run(context, input) {
        const hits = await knowledge.search(
          context.principal,
          context.businessId,
          input.query,
          input.limit,
        );
        return {
          items: hits.map((hit, index) => ({
            n: index + 1,
            chunkId: hit.chunkId,
            documentId: hit.documentId,
            title: hit.title,
            excerpt: hit.excerpt,
            score: Math.round(hit.score * 1000) / 1000,
          })),
        };
      },
      summarize(result) {
        const items = (result as { items: { title: string }[] }).items;
        if (items.length === 0) return 'The knowledge base has nothing on this.';
        const titles = [...new Set(items.map((item) => item.title))];
        return `${String(items.length)} passage${items.length === 1 ? '' : 's'} from ${titles.map((t) => `"${clip(t, 60)}"`).join(', ')}.`;
      },
    }),
    defineTool({
      name: 'search_web',
      description: webSearch
        ? `Searches the web (${webSearch.name}) and returns the top results with their addresses and snippets: cite what you use by its address.`
        : 'Web search is not configured on this Herald: calling it only says so.',
      input: z.object({
        query: Query.describe('The search query'),
        limit: z.number().int().min(1).max(10).default(5).describe('How many results (1–10)'),
      }),
      readOnly: true,
      permission: 'business.read',
      keywords: ['web', 'google', 'online', 'internet', 'competitor', 'competitors', 'trends'],
      async run(context, input) {
        if (!webSearch) {
          return {
            available: false,
            message:
              'Web search is not configured on this Herald (an administrator sets SEARCH_PROVIDER and SEARCH_API_KEY). Say that you cannot search the web.',
          };
        }
        const results = await webSearch.search(input.query, {
          limit: input.limit,
          ...(context.signal ? { signal: context.signal } : {}),
        });
        return { available: true, provider: webSearch.name, results };
      },
      summarize(result) {
        const answer = result as { available: boolean; results?: { title: string }[] };
        if (!answer.available) return 'Web search is not available on this Herald.';
        const count = answer.results?.length ?? 0;
        return count === 0
          ? 'The web search found nothing.'
          : `${String(count)} web result${count === 1 ? '' : 's'}: ${(answer.results ?? [])
              .slice(0, 3)
              .map((r) => `"${clip(r.title, 50)}"`)
              .join(', ')}.`;
      },
    }),
  ];
}
