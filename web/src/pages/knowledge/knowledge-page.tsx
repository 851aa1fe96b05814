// The knowledge base: documents the agents search and cite when they answer (price lists, FAQs,
// brand guides), with a form to add one and each document's status while it is processed.
import './knowledge.css';

import { Link } from 'react-router';

import { DataTable } from '../../components/data-table';
import { ErrorNotice } from '../../components/error-notice';
import { EmptyState, formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useScopedBusiness } from '../business-scope';
import {
  DOCUMENT_STATUS,
  documentStatusClass,
  FORMAT_LABEL,
  formatBytes,
} from './knowledge-format';
import { useDeleteDocument, useKnowledgeDocuments } from './knowledge-queries';
import { UploadForm } from './upload-form';

export function KnowledgePage() {
  const business = useScopedBusiness();
  useDocumentTitle('Knowledge base', business.name);
  const base = `/businesses/${business.id}`;
  const documents = useKnowledgeDocuments(business.id);
  const remove = useDeleteDocument(business.id);
  const items = documents.data?.items ?? [];

  return (
    <>
      <PageHeader
        title="Knowledge base"
        description="Documents the agents search and cite when they answer: price lists, FAQs, brand guides, product pages."
      />
      <div className="stack">
        <UploadForm businessId={business.id} />
        <section aria-labelledby="documents-title" className="stack">
          <h2 id="documents-title">Documents</h2>
          {documents.isPending && <Skeleton lines={4} height={40} label="Loading the documents…" />}
          {documents.isError && (
            <ErrorNotice
              error={documents.error}
              title="Could not load the knowledge base"
              onRetry={() => void documents.refetch()}
            />
          )}
          {documents.isSuccess && items.length === 0 && (
            <EmptyState title="No documents yet" testId="knowledge-empty">
              <p>
                Add your FAQ, price list or brand guide above: the agents then answer from it and
                show where each answer came from.
              </p>
            </EmptyState>
          )}
          {remove.isError && (
            <ErrorNotice error={remove.error} title="Could not delete the document" />
          )}
          {items.length > 0 && (
            <div className="knowledge-table">
              <DataTable
                label="Documents"
                rows={items}
                rowKey={(document) => document.id}
                rowTestId="knowledge-row"
                columns={[
                  {
                    header: 'Title',
                    cellClassName: 'break',
                    cell: (document) => (
                      <>
                        <Link to={`${base}/knowledge/${document.id}`}>{document.title}</Link>
                        {document.sourceUrl && (
                          <div
                            className="muted small knowledge-list-url"
                            title={document.sourceUrl}
                          >
                            {document.sourceUrl}
                          </div>
                        )}
                      </>
                    ),
                  },
                  {
                    header: 'Status',
                    cell: (document) => (
                      <>
                        <span className={`badge ${documentStatusClass(document.status)}`}>
                          {DOCUMENT_STATUS[document.status]}
                        </span>
                        {document.error && (
                          <div className="field-error small">{document.error}</div>
                        )}
                      </>
                    ),
                  },
                  {
                    header: 'Passages',
                    className: 'number',
                    cell: (document) => document.chunkCount.toLocaleString(),
                  },
                  {
                    header: 'Format',
                    className: 'hide-narrow',
                    cell: (document) => FORMAT_LABEL[document.format],
                  },
                  {
                    header: 'Size',
                    className: 'number hide-narrow',
                    cell: (document) => formatBytes(document.bytes),
                  },
                  {
                    header: 'Added',
                    className: 'hide-narrow',
                    cell: (document) => formatDateTime(document.createdAt),
                  },
                  {
                    header: <span className="visually-hidden">Actions</span>,
                    cell: (document) => (
                      <button
                        type="button"
                        className="button link"
                        aria-label={`Delete “${document.title}”`}
                        disabled={remove.isPending && remove.variables === document.id}
                        onClick={() => {
                          if (
                            window.confirm(`Delete “${document.title}” from the knowledge base?`)
                          ) {
                            remove.mutate(document.id);
                          }
                        }}
                      >
                        Delete
                      </button>
                    ),
                  },
                ]}
              />
            </div>
          )}
        </section>
      </div>
    </>
  );
}
