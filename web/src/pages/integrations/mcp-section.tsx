// The integrations page's AI assistants (MCP) section: where Herald's MCP endpoint is, how to get
// an API key for it, and a configuration to copy for Claude Desktop (stdio, `herald mcp`),
// Cursor (Streamable HTTP with a header) and any other MCP client. Nothing is fetched: the
// endpoint is this dashboard's own origin + /mcp.
import './mcp-section.css';

import { useState } from 'react';
import { Link } from 'react-router';

type ClientKind = 'claude' | 'cursor' | 'generic';

const KEY_PLACEHOLDER = 'hk_your_api_key';

const CLIENTS: { kind: ClientKind; label: string }[] = [
  { kind: 'claude', label: 'Claude Desktop' },
  { kind: 'cursor', label: 'Cursor' },
  { kind: 'generic', label: 'Other clients' },
];

/** The configuration text for one client. */
export function mcpConfig(kind: ClientKind, origin: string): string {
  const endpoint = `${origin}/mcp`;
  if (kind === 'claude') {
    return JSON.stringify(
      {
        mcpServers: {
          herald: {
            command: 'node',
            args: ['/path/to/herald/bin/herald.js', 'mcp', '--url', origin],
            env: { HERALD_API_KEY: KEY_PLACEHOLDER },
          },
        },
      },
      null,
      2,
    );
  }
  if (kind === 'cursor') {
    return JSON.stringify(
      { mcpServers: { herald: { url: endpoint, headers: { 'X-API-Key': KEY_PLACEHOLDER } } } },
      null,
      2,
    );
  }
  return [
    `Transport: Streamable HTTP (stateless, JSON answers)`,
    `URL:       ${endpoint}`,
    `Header:    X-API-Key: ${KEY_PLACEHOLDER}`,
    `           (or Authorization: Bearer <access token>)`,
    `stdio:     HERALD_API_KEY=${KEY_PLACEHOLDER} herald mcp --url ${origin}`,
  ].join('\n');
}

const NOTES: Record<ClientKind, string> = {
  claude:
    'Add this to claude_desktop_config.json (Settings → Developer → Edit config). Claude Desktop starts `herald mcp`, which forwards to this server: replace the path with where Herald is installed (or use `herald` if it is on your PATH), and the key with yours.',
  cursor:
    'Add this to .cursor/mcp.json in your project (or ~/.cursor/mcp.json for every project), with your key.',
  generic:
    'Any client that speaks the Model Context Protocol over Streamable HTTP can connect with a header; desktop clients that only start local programs use `herald mcp` over stdio.',
};

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  if (typeof navigator === 'undefined' || !('clipboard' in navigator)) return null;
  return (
    <button
      type="button"
      className="button secondary"
      aria-label={label}
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => {
            setCopied(true);
            setTimeout(() => {
              setCopied(false);
            }, 2000);
          },
          () => undefined,
        );
      }}
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

export function McpSection({ businessId }: { businessId: string }) {
  const [kind, setKind] = useState<ClientKind>('claude');
  const origin = window.location.origin;
  const endpoint = `${origin}/mcp`;
  const config = mcpConfig(kind, origin);
  return (
    <section aria-labelledby="mcp-title" className="card" data-testid="mcp-section">
      <h2 id="mcp-title">AI assistants (MCP)</h2>
      <p className="muted">
        Claude Desktop, Cursor and other assistants can use Herald&apos;s tools — campaigns,
        content, sequences, customers and segments — through the Model Context Protocol, with your
        access and nothing more.
      </p>
      <dl className="mcp-facts">
        <dt>Endpoint</dt>
        <dd className="mcp-row">
          <code data-testid="mcp-endpoint">{endpoint}</code>
          <CopyButton text={endpoint} label="Copy the MCP endpoint" />
        </dd>
        <dt>This business</dt>
        <dd className="mcp-row">
          <code data-testid="mcp-business-id">{businessId}</code>
          <CopyButton text={businessId} label="Copy the business id" />
        </dd>
      </dl>
      <p className="muted small">
        Every tool takes the business id as <code>businessId</code> (an assistant can also find it
        in the <code>herald://businesses/…</code> resources).
      </p>

      <h3>1. Make an API key</h3>
      <p>
        Create a key on the <Link to="/account/api-keys">API keys</Link> page and paste it where the
        configuration says <code>{KEY_PLACEHOLDER}</code>. A <strong>read</strong> key shows the
        assistant the read tools only; a <strong>read and write</strong> key adds the tools that
        change data, which run only when the assistant calls them with <code>confirm: true</code> —
        without it they describe what they would do.
      </p>

      <h3>2. Add Herald to your assistant</h3>
      <div className="mcp-tabs" role="group" aria-label="MCP client">
        {CLIENTS.map((client) => (
          <button
            key={client.kind}
            type="button"
            className={`button ${kind === client.kind ? 'primary' : 'secondary'}`}
            aria-pressed={kind === client.kind}
            onClick={() => {
              setKind(client.kind);
            }}
          >
            {client.label}
          </button>
        ))}
        <CopyButton text={config} label="Copy the configuration" />
      </div>
      <pre className="mcp-code" data-testid="mcp-config">
        <code>{config}</code>
      </pre>
      <p className="muted small">{NOTES[kind]}</p>
    </section>
  );
}
