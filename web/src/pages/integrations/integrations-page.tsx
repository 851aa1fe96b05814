// Integrations: where Herald reaches the tools a team already uses — Slack (notifications and
// approvals), outgoing webhooks with their delivery log, and the MCP endpoint for AI assistants.
import { PageHeader } from '../../components/ui';
import { useDocumentTitle } from '../../hooks/use-document-title';
import { useScopedBusiness } from '../business-scope';
import { McpSection } from './mcp-section';
import { SlackSection } from './slack-section';
import { WebhooksSection } from './webhooks-section';

export function IntegrationsPage() {
  const business = useScopedBusiness();
  useDocumentTitle('Integrations', business.name);
  return (
    <>
      <PageHeader
        title="Integrations"
        description="Slack notifications and approvals, webhooks to your own systems, and Herald's tools for AI assistants."
      />
      <div className="stack">
        <SlackSection businessId={business.id} />
        <WebhooksSection businessId={business.id} />
        <McpSection businessId={business.id} />
      </div>
    </>
  );
}
