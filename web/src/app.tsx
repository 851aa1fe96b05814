// The dashboard's routes and providers. Pages beyond sign-in load on demand, so the first
// visit downloads only what the login page needs.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense, useEffect, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';

import type { Api } from './api/client';
import { ApiProvider } from './api/context';
import { ApiError, NetworkError } from './api/errors';
import {
  LoginPage,
  RegisterPage,
  RequireAuth,
  SessionExpiryRedirect,
  VerifyEmailPage,
} from './auth/auth-pages';
import type { SessionStore } from './auth/session';
import { ErrorBoundary } from './components/error-boundary';
import { ErrorNotice } from './components/error-notice';
import { Layout } from './components/layout';
import { Skeleton } from './components/ui';
import { useDocumentTitle } from './hooks/use-document-title';

const BusinessesPage = lazy(() =>
  import('./pages/businesses').then((module) => ({ default: module.BusinessesPage })),
);
const BusinessScope = lazy(() =>
  import('./pages/business-scope').then((module) => ({ default: module.BusinessScope })),
);
const CampaignsPage = lazy(() =>
  import('./pages/campaigns/campaigns-page').then((module) => ({
    default: module.CampaignsPage,
  })),
);
const CampaignDetailPage = lazy(() =>
  import('./pages/campaigns/campaign-detail').then((module) => ({
    default: module.CampaignDetailPage,
  })),
);
const ContentEditorPage = lazy(() =>
  import('./pages/content/content-editor').then((module) => ({
    default: module.ContentEditorPage,
  })),
);
const HomeRedirect = lazy(() =>
  import('./pages/business-scope').then((module) => ({ default: module.HomeRedirect })),
);
const NotFoundPage = lazy(() =>
  import('./pages/business-scope').then((module) => ({ default: module.NotFoundPage })),
);
const ProfilePage = lazy(() =>
  import('./pages/profile').then((module) => ({ default: module.ProfilePage })),
);
const UsagePage = lazy(() =>
  import('./pages/usage').then((module) => ({ default: module.UsagePage })),
);
const JobsPage = lazy(() =>
  import('./pages/jobs').then((module) => ({ default: module.JobsPage })),
);
const JobCallsPage = lazy(() =>
  import('./pages/job-calls').then((module) => ({ default: module.JobCallsPage })),
);
const OutboxPage = lazy(() =>
  import('./pages/outbox').then((module) => ({ default: module.OutboxPage })),
);
const BroadcastsPage = lazy(() =>
  import('./pages/broadcasts/broadcasts-page').then((module) => ({
    default: module.BroadcastsPage,
  })),
);
const BroadcastPage = lazy(() =>
  import('./pages/broadcasts/broadcast-page').then((module) => ({ default: module.BroadcastPage })),
);
const TemplatesPage = lazy(() =>
  import('./pages/broadcasts/templates-page').then((module) => ({ default: module.TemplatesPage })),
);
const TemplatePage = lazy(() =>
  import('./pages/broadcasts/templates-page').then((module) => ({ default: module.TemplatePage })),
);
const SequencesPage = lazy(() =>
  import('./pages/sequences/sequences-page').then((module) => ({ default: module.SequencesPage })),
);
const SequencePage = lazy(() =>
  import('./pages/sequences/sequence-page').then((module) => ({ default: module.SequencePage })),
);
const SequenceAnalyticsPage = lazy(() =>
  import('./pages/sequences/sequence-analytics').then((module) => ({
    default: module.SequenceAnalyticsPage,
  })),
);
const HomePage = lazy(() =>
  import('./pages/home').then((module) => ({ default: module.HomePage })),
);
const ApiKeysPage = lazy(() =>
  import('./pages/account/api-keys').then((module) => ({ default: module.ApiKeysPage })),
);
const AuditPage = lazy(() =>
  import('./pages/account/audit').then((module) => ({ default: module.AuditPage })),
);
const SourcesPage = lazy(() =>
  import('./pages/sources/sources-page').then((module) => ({
    default: module.SourcesPage,
  })),
);
const SegmentsPage = lazy(() =>
  import('./pages/segments/segments-page').then((module) => ({ default: module.SegmentsPage })),
);
const SegmentPage = lazy(() =>
  import('./pages/segments/segment-page').then((module) => ({ default: module.SegmentPage })),
);
const CustomersPage = lazy(() =>
  import('./pages/customers/customers-page').then((module) => ({
    default: module.CustomersPage,
  })),
);
const IntelligencePage = lazy(() =>
  import('./pages/intelligence/intelligence-page').then((module) => ({
    default: module.IntelligencePage,
  })),
);
const CustomerPage = lazy(() =>
  import('./pages/customers/customer-page').then((module) => ({
    default: module.CustomerPage,
  })),
);
const SubscribersPage = lazy(() =>
  import('./pages/subscribers/subscribers-page').then((module) => ({
    default: module.SubscribersPage,
  })),
);
const SuppressionsPage = lazy(() =>
  import('./pages/suppressions').then((module) => ({ default: module.SuppressionsPage })),
);
const TeamPage = lazy(() =>
  import('./pages/team/team-page').then((module) => ({ default: module.TeamPage })),
);
const InvitationPage = lazy(() =>
  import('./pages/invitation').then((module) => ({ default: module.InvitationPage })),
);
const AdminPage = lazy(() =>
  import('./pages/admin/admin-page').then((module) => ({ default: module.AdminPage })),
);
const ChatPage = lazy(() =>
  import('./pages/chat/chat-page').then((module) => ({ default: module.ChatPage })),
);
const DecisionsPage = lazy(() =>
  import('./pages/decisions/decisions-page').then((module) => ({ default: module.DecisionsPage })),
);
const DecisionPage = lazy(() =>
  import('./pages/decisions/decision-page').then((module) => ({ default: module.DecisionPage })),
);
const KnowledgePage = lazy(() =>
  import('./pages/knowledge/knowledge-page').then((module) => ({ default: module.KnowledgePage })),
);
const IntegrationsPage = lazy(() =>
  import('./pages/integrations/integrations-page').then((module) => ({
    default: module.IntegrationsPage,
  })),
);
const KnowledgeDocumentPage = lazy(() =>
  import('./pages/knowledge/knowledge-document').then((module) => ({
    default: module.KnowledgeDocumentPage,
  })),
);
const MessagesPage = lazy(() =>
  import('./pages/messages').then((module) => ({ default: module.MessagesPage })),
);

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // A refused request will be refused again; a dropped connection may not be.
        retry: (failures, error) => error instanceof NetworkError && failures < 2,
        refetchOnWindowFocus: (query) => !(query.state.error instanceof ApiError),
      },
      mutations: { retry: false },
    },
  });
}

/** Before the first render: a reload has no access token, so ask the refresh cookie for one. */
function SessionBoot({ session, children }: { session: SessionStore; children: ReactNode }) {
  const [state, setState] = useState<'booting' | 'ready' | { error: unknown }>(() =>
    session.current ? 'ready' : 'booting',
  );
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (session.current) return;
    let cancelled = false;
    session.refresh().then(
      () => {
        if (!cancelled) setState('ready');
      },
      (error: unknown) => {
        if (!cancelled)
          setState({ error: error instanceof TypeError ? new NetworkError(error) : error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [session, attempt]);

  if (state === 'booting') {
    return (
      <div className="boot">
        <Skeleton lines={3} label="Starting Herald…" />
      </div>
    );
  }
  if (state !== 'ready') {
    return (
      <main className="boot" id="main">
        <ErrorNotice
          error={state.error}
          onRetry={() => {
            setState('booting');
            setAttempt((n) => n + 1);
          }}
        />
      </main>
    );
  }
  return children;
}

/** A page that does not name itself (the sign-in pages): its route names it. */
function Titled({ title, children }: { title: string; children: ReactNode }) {
  useDocumentTitle(title);
  return children;
}

const pageFallback = <Skeleton lines={5} height={24} label="Loading the page…" />;

export function App(props: { api: Api; session: SessionStore; queryClient: QueryClient }) {
  return (
    <ErrorBoundary>
      <QueryClientProvider client={props.queryClient}>
        <ApiProvider api={props.api} session={props.session}>
          <SessionBoot session={props.session}>
            <BrowserRouter>
              <SessionExpiryRedirect />
              <Suspense fallback={pageFallback}>
                <Routes>
                  <Route
                    path="/login"
                    element={
                      <Titled title="Sign in">
                        <LoginPage />
                      </Titled>
                    }
                  />
                  <Route
                    path="/register"
                    element={
                      <Titled title="Create your account">
                        <RegisterPage />
                      </Titled>
                    }
                  />
                  <Route
                    path="/verify-email"
                    element={
                      <Titled title="Verify your email">
                        <VerifyEmailPage />
                      </Titled>
                    }
                  />
                  <Route
                    element={
                      <RequireAuth>
                        <Layout />
                      </RequireAuth>
                    }
                  >
                    <Route index element={<HomeRedirect />} />
                    <Route path="businesses" element={<BusinessesPage />} />
                    <Route path="account/api-keys" element={<ApiKeysPage />} />
                    <Route path="account/activity" element={<AuditPage />} />
                    <Route path="invitations/:token" element={<InvitationPage />} />
                    <Route path="admin" element={<AdminPage />} />
                    <Route path="businesses/:businessId" element={<BusinessScope />}>
                      <Route index element={<Navigate to="home" replace />} />
                      <Route path="home" element={<HomePage />} />
                      <Route path="profile" element={<ProfilePage />} />
                      <Route path="campaigns" element={<CampaignsPage />} />
                      <Route path="campaigns/:campaignId/*" element={<CampaignDetailPage />} />
                      {/* A piece of content lives in a campaign: the switcher lands here. */}
                      <Route path="content" element={<Navigate to="../campaigns" replace />} />
                      <Route path="content/:contentId" element={<ContentEditorPage />} />
                      <Route path="usage" element={<UsagePage />} />
                      {/* One route, so starting a conversation keeps its reply streaming. */}
                      <Route path="chat/:sessionId?" element={<ChatPage />} />
                      <Route path="decisions" element={<DecisionsPage />} />
                      <Route path="decisions/:decisionId" element={<DecisionPage />} />
                      <Route path="knowledge" element={<KnowledgePage />} />
                      <Route path="knowledge/:documentId" element={<KnowledgeDocumentPage />} />
                      <Route path="integrations" element={<IntegrationsPage />} />
                      <Route path="jobs" element={<JobsPage />} />
                      <Route path="jobs/:jobId" element={<JobCallsPage />} />
                      <Route path="outbox" element={<OutboxPage />} />
                      <Route path="broadcasts" element={<BroadcastsPage />} />
                      <Route path="broadcasts/new" element={<BroadcastPage />} />
                      <Route path="broadcasts/:broadcastId" element={<BroadcastPage />} />
                      <Route path="templates" element={<TemplatesPage />} />
                      <Route path="templates/new" element={<TemplatePage />} />
                      <Route path="templates/:templateId" element={<TemplatePage />} />
                      <Route path="sequences" element={<SequencesPage />} />
                      <Route path="sequences/:sequenceId" element={<SequencePage />} />
                      <Route
                        path="sequences/:sequenceId/analytics"
                        element={<SequenceAnalyticsPage />}
                      />
                      <Route path="customers" element={<CustomersPage />} />
                      <Route path="customers/:customerId" element={<CustomerPage />} />
                      <Route path="subscribers" element={<SubscribersPage />} />
                      <Route path="segments" element={<SegmentsPage />} />
                      <Route path="intelligence" element={<IntelligencePage />} />
                      <Route path="segments/:segmentId" element={<SegmentPage />} />
                      <Route path="suppressions" element={<SuppressionsPage />} />
                      <Route path="sources" element={<SourcesPage />} />
                      <Route path="messages" element={<MessagesPage />} />
                      <Route path="team" element={<TeamPage />} />
                    </Route>
                    <Route path="*" element={<NotFoundPage />} />
                  </Route>
                </Routes>
              </Suspense>
            </BrowserRouter>
          </SessionBoot>
        </ApiProvider>
      </QueryClientProvider>
    </ErrorBoundary>
  );
}
