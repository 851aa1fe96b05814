// How the knowledge base names formats, statuses and sizes.
import type { KnowledgeDocument, KnowledgeFormat } from '../chat/types';

export const FORMAT_LABEL: Record<KnowledgeFormat, string> = {
  text: 'Plain text',
  markdown: 'Markdown',
  html: 'HTML',
  pdf: 'PDF',
};

export const DOCUMENT_STATUS: Record<KnowledgeDocument['status'], string> = {
  processing: 'Processing…',
  ready: 'Ready',
  failed: 'Failed',
};

export function documentStatusClass(status: KnowledgeDocument['status']): string {
  if (status === 'ready') return 'status-succeeded';
  if (status === 'failed') return 'status-failed';
  return 'status-running';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${String(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
