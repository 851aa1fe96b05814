// Everything under /businesses/:businessId: loads the business once, remembers it as the active
// one, and hands it to the page below. Another tenant's (or a deleted) business is a clear
// "not found", never a blank page.
import { useEffect } from 'react';
import { Link, Navigate, Outlet, useOutletContext, useParams } from 'react-router';

import { ApiError } from '../api/errors';
import { type Business, useBusiness } from '../api/queries';
import { LoadFailure } from '../components/error-notice';
import { EmptyState, Skeleton } from '../components/ui';
import { useDocumentTitle } from '../hooks/use-document-title';
import { rememberBusiness, rememberedBusinessId } from '../state/active-business';

export function BusinessScope() {
  const { businessId = '' } = useParams();
  const business = useBusiness(businessId);
  // The page below names itself once the business is there; until then, this frame does.
  useDocumentTitle(
    business.isSuccess
      ? null
      : business.isPending
        ? 'Loading…'
        : business.error instanceof ApiError && business.error.status === 404
          ? 'Business not found'
          : 'Could not load the business',
  );

  useEffect(() => {
    if (business.isSuccess) rememberBusiness(business.data.id);
    if (business.error instanceof ApiError && business.error.status === 404) {
      if (rememberedBusinessId() === businessId) rememberBusiness(null);
    }
  }, [business.isSuccess, business.data, business.error, businessId]);

  if (business.isPending) return <Skeleton lines={6} height={28} label="Loading the business…" />;
  if (business.isError) {
    return (
      <LoadFailure
        error={business.error}
        notFoundTitle="Business not found"
        back={{ label: 'See your businesses', to: '/businesses' }}
        errorTitle="Could not load this business"
        onRetry={() => void business.refetch()}
      >
        <p>It may have been deleted, or it belongs to another account.</p>
      </LoadFailure>
    );
  }
  return <Outlet context={business.data} />;
}

/** The business of the current /businesses/:businessId/… page. */
export function useScopedBusiness(): Business {
  return useOutletContext<Business>();
}

/** `/`: the remembered business if there is one, else the list. */
export function HomeRedirect() {
  const remembered = rememberedBusinessId();
  return <Navigate to={remembered ? `/businesses/${remembered}/home` : '/businesses'} replace />;
}

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <EmptyState
      title="Page not found"
      action={{ label: 'Go to your businesses', to: '/businesses' }}
    >
      <p>
        The address may be mistyped, or the page moved. <Link to="/">Start from the home page</Link>
        .
      </p>
    </EmptyState>
  );
}
