// The integrations page's AI assistants (MCP) section (being built: see issue #19).
export function McpSection({ businessId }: { businessId: string }) {
  return (
    <section aria-labelledby="mcp-title" className="stack" data-business={businessId}>
      <h2 id="mcp-title">AI assistants (MCP)</h2>
    </section>
  );
}
