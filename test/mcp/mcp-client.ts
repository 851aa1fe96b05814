// The official MCP SDK client connected to a listening test app, over Streamable HTTP (with a
// bearer token or an API key) or over stdio by spawning `herald mcp` (bin/herald.js).
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export const HERALD_BIN = fileURLToPath(new URL('../../bin/herald.js', import.meta.url));

export type Credentials = { authorization: string } | { 'x-api-key': string };

export async function httpClient(baseUrl: string, headers: Credentials): Promise<Client> {
  const client = new Client({ name: 'herald-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), { requestInit: { headers } }),
  );
  return client;
}

export interface StdioClient {
  client: Client;
  stderr: () => string;
}

/** `herald mcp --api-key KEY --url BASE` spawned as a desktop assistant would. */
export async function stdioClient(baseUrl: string, apiKey: string): Promise<StdioClient> {
  const client = new Client({ name: 'herald-test-stdio', version: '1.0.0' });
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (typeof value === 'string') env[name] = value;
  }
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [HERALD_BIN, 'mcp', '--api-key', apiKey, '--url', baseUrl],
    env,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

/** The text of a tool result's first content item. */
export function textOf(result: CallToolResult | Record<string, unknown>): string {
  const content = (result as CallToolResult).content;
  const first = content[0];
  return first?.type === 'text' ? first.text : '';
}
