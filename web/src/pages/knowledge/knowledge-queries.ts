// Server state of the knowledge base (TanStack Query): the documents the agents cite, one with
// its chunks, uploading (text, markdown, HTML, a PDF as base64, or a URL to fetch) and deleting.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { idempotencyKey } from '../../api/client';
import { useApi } from '../../api/context';
import { agentsApi, BUSINESS, unwrapAs } from '../chat/agents-client';
import type {
  KnowledgeDocument,
  KnowledgeDocumentDetail,
  NewKnowledgeDocument,
  Page,
} from '../chat/types';

const POLL_MS = 2_000;

export const knowledgeKeys = {
  list: (businessId: string) => ['business', businessId, 'knowledge', 'list'] as const,
  one: (businessId: string, documentId: string) =>
    ['business', businessId, 'knowledge', documentId] as const,
};

const processing = (document: KnowledgeDocument) => document.status === 'processing';

export function useKnowledgeDocuments(businessId: string) {
  const api = agentsApi(useApi());
  return useQuery({
    queryKey: knowledgeKeys.list(businessId),
    queryFn: ({ signal }) =>
      unwrapAs<Page<KnowledgeDocument>>(
        api.GET(`${BUSINESS}/knowledge/documents`, {
          params: { path: { businessId }, query: { limit: 100 } },
          signal,
        }),
      ),
    // A document is cut and embedded after the upload: follow it until it is ready or failed.
    refetchInterval: (query) => (query.state.data?.items.some(processing) ? POLL_MS : false),
  });
}

export function useKnowledgeDocument(businessId: string, documentId: string) {
  const api = agentsApi(useApi());
  return useQuery({
    queryKey: knowledgeKeys.one(businessId, documentId),
    queryFn: ({ signal }) =>
      unwrapAs<KnowledgeDocumentDetail>(
        api.GET(`${BUSINESS}/knowledge/documents/{documentId}`, {
          params: { path: { businessId, documentId } },
          signal,
        }),
      ),
    refetchInterval: (query) =>
      query.state.data && processing(query.state.data) ? POLL_MS : false,
  });
}

export function useUploadDocument(businessId: string) {
  const api = agentsApi(useApi());
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewKnowledgeDocument) =>
      unwrapAs<KnowledgeDocument>(
        api.POST(`${BUSINESS}/knowledge/documents`, {
          params: { path: { businessId } },
          body,
          headers: { 'idempotency-key': idempotencyKey() },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: knowledgeKeys.list(businessId) }),
  });
}

export function useDeleteDocument(businessId: string) {
  const api = agentsApi(useApi());
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (documentId: string) =>
      unwrapAs<undefined>(
        api.DELETE(`${BUSINESS}/knowledge/documents/{documentId}`, {
          params: { path: { businessId, documentId } },
        }),
      ),
    onSuccess: (_, documentId) => {
      queryClient.removeQueries({ queryKey: knowledgeKeys.one(businessId, documentId) });
      return queryClient.invalidateQueries({ queryKey: knowledgeKeys.list(businessId) });
    },
  });
}

/** A file's bytes as base64 (without the `data:` prefix), for a PDF upload. */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : '';
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => {
      reject(reader.error ?? new Error('The file could not be read'));
    };
    reader.readAsDataURL(file);
  });
}
