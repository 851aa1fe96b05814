// One document of the knowledge base: where it came from, its status, and the passages it was cut
// into (what the agents search and cite).
import './knowledge.css';

import { Link, useNavigate, useParams } from 'react-router';

import { ErrorNotice, LoadFailure } from '../../components/error-notice';
import { formatDateTime, PageHeader, Skeleton } from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useScopedBusiness } from '../business-scope';
import {
  DOCUMENT_STATUS,
  documentStatusClass,
  FORMAT_LABEL,
  formatBytes,
} from './knowledge-format';
import { useDeleteDocument, useKnowledgeDocument } from './knowledge-queries';

export function KnowledgeDocumentPage() {
  const business = useScopedBusiness();
  const { documentId = '' } = useParams();
  const navigate = useNavigate();
  const base = `/businesses/${business.id}/knowledge`;
  const document = useKnowledgeDocument(business.id, documentId);
  const remove = useDeleteDocument(business.id);
  useDocumentTitle(document.data?.title ?? 'Document', business.name);
  const data = document.data;

  return (
    <>
      <PageHeader
        title={data?.title ?? 'Document'}
        actions={
          <>
            <Link className="button secondary" to={base}>
              All documents
            </Link>
            {data && (
              <button
                type="button"
                className="button secondary"
                disabled={remove.isPending}
                onClick={() => {
                  if (!window.confirm(`Delete “${data.title}” from the knowledge base?`)) return;
                  remove.mutate(data.id, { onSuccess: () => void navigate(base) });
                }}
              >
                {remove.isPending ? 'Deleting…' : 'Delete'}
              </button>
            )}
          </>
        }
      />
      {remove.isError && <ErrorNotice error={remove.error} title="Could not delete the document" />}
      {document.isPending && <Skeleton lines={6} height={28} label="Loading the document…" />}
      {document.isError && (
        <LoadFailure
          error={document.error}
          notFoundTitle="Document not found"
          back={{ label: 'See the knowledge base', to: base }}
          errorTitle="Could not load the document"
          onRetry={() => void document.refetch()}
        >
          <p>It may have been deleted.</p>
        </LoadFailure>
      )}
      {data && (
        <div className="stack">
          <section className="card" aria-label="About this document">
            <p>
              <span className={`badge ${documentStatusClass(data.status)}`}>
                {DOCUMENT_STATUS[data.status]}
              </span>{' '}
              {FORMAT_LABEL[data.format]} · {formatBytes(data.bytes)} · added{' '}
              {formatDateTime(data.createdAt)}
            </p>
            {data.sourceUrl && (
              <p className="knowledge-url small">
                From{' '}
                <a href={data.sourceUrl} rel="noreferrer">
                  {data.sourceUrl}
                </a>
              </p>
            )}
            {data.error && (
              <div className="notice error" role="alert">
                <strong className="notice-title">It could not be processed</strong>
                <p>{data.error}</p>
              </div>
            )}
          </section>
          <section className="card" aria-labelledby="chunks-title">
            <h2 id="chunks-title">Passages ({data.chunks.length.toLocaleString()})</h2>
            {data.chunks.length === 0 ? (
              <p className="muted" data-testid="chunks-empty">
                {data.status === 'processing'
                  ? 'Being cut into passages…'
                  : 'No passages: the document had no text to index.'}
              </p>
            ) : (
              <ol className="knowledge-chunks">
                {data.chunks.map((chunk) => (
                  <li key={chunk.id} value={chunk.ordinal + 1} data-testid="knowledge-chunk">
                    {chunk.excerpt}
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
      )}
    </>
  );
}
