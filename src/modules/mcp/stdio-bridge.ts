// `herald mcp`: MCP over stdio for desktop assistants (Claude Desktop, Cursor …), as a bridge to
// a running Herald's /mcp. Each JSON-RPC message read from stdin is posted to the server with the
// API key, and each answer is written to stdout. The bridge opens no database and loads no
// configuration, so it starts in a blink and always acts through the server's own access rules;
// the server must be running (`herald serve`) and reachable at --url.
import type { Readable, Writable } from 'node:stream';

import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export const STDIO_USAGE =
  'usage: herald mcp --api-key KEY [--url http://127.0.0.1:8080]\n' +
  '  (or HERALD_API_KEY and HERALD_URL in the environment; the server must be running)';

export interface BridgeOptions {
  apiKey: string;
  /** Herald's base URL (the bridge posts to `<url>/mcp`). */
  url: string;
}

/** The bridge's options from `herald mcp`'s arguments and environment, or a usage error. */
export function bridgeOptionsOf(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): BridgeOptions | { error: string } {
  const flags = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const [name, inline] = arg.split('=', 2) as [string, string | undefined];
    if (name !== '--api-key' && name !== '--url') return { error: `unknown option ${arg}` };
    const value = inline ?? argv[(index += 1)];
    if (!value) return { error: `${name} needs a value` };
    flags.set(name, value);
  }
  const apiKey = flags.get('--api-key') ?? env.HERALD_API_KEY;
  if (!apiKey) return { error: 'an API key is required (--api-key or HERALD_API_KEY)' };
  const url = flags.get('--url') ?? env.HERALD_URL ?? `http://127.0.0.1:${env.PORT ?? '8080'}`;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    return { error: `--url must be an http(s) URL, not ${url}` };
  }
  return { apiKey, url };
}

const isRequest = (
  message: JSONRPCMessage,
): message is JSONRPCMessage & { id: string | number; method: string } =>
  'method' in message && 'id' in message;

/**
 * Runs the bridge until stdin ends. Resolves when it has stopped. A message the server cannot
 * take (down, key refused) is answered to the client as a JSON-RPC error naming the cause.
 */
export async function runStdioBridge(
  options: BridgeOptions,
  io: { stdin: Readable; stdout: Writable; stderr: Writable },
): Promise<void> {
  const endpoint = new URL('mcp', options.url.endsWith('/') ? options.url : `${options.url}/`);
  const upstream = new StreamableHTTPClientTransport(endpoint, {
    requestInit: { headers: { 'x-api-key': options.apiKey } },
  });
  const local = new StdioServerTransport(io.stdin, io.stdout);
  const initializeIds = new Set<string | number>();

  upstream.onmessage = (message) => {
    // Later posts carry the protocol version the server agreed to, as the SDK client would.
    if (
      'id' in message &&
      initializeIds.delete(message.id as string | number) &&
      'result' in message
    ) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === 'string') upstream.setProtocolVersion(version);
    }
    void local.send(message);
  };
  upstream.onerror = (error) => {
    io.stderr.write(`herald mcp: ${error.message}\n`);
  };
  local.onmessage = (message) => {
    if (isRequest(message) && message.method === 'initialize') initializeIds.add(message.id);
    upstream.send(message).catch((error: unknown) => {
      const cause = error instanceof Error ? error.message : String(error);
      io.stderr.write(`herald mcp: ${endpoint.href}: ${cause}\n`);
      if (isRequest(message)) {
        void local.send({
          jsonrpc: '2.0',
          id: message.id,
          error: {
            code: -32000,
            message: `Herald at ${endpoint.href} did not take the request: ${cause}`,
          },
        });
      }
    });
  };

  const ended = new Promise<void>((resolve) => {
    io.stdin.once('end', resolve);
    io.stdin.once('close', resolve);
  });
  await upstream.start();
  await local.start();
  await ended;
  await local.close();
  await upstream.close();
}
