// Herald as an MCP server, driven by the official SDK client over Streamable HTTP (a signed-in
// user's bearer token) and over stdio (spawning `herald mcp --api-key …`), against a listening
// app: the same tools, resources and prompts, the confirmation rule, tenancy, argument errors,
// read-only keys, the decision log and the metrics.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { api } from '../helpers/api.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import {
  addMember,
  newApiKey,
  newBusiness,
  newCampaign,
  newUser,
  type TestBusiness,
  type TestUser,
} from '../helpers/fixtures.ts';
import { httpClient, type StdioClient, stdioClient, textOf } from './mcp-client.ts';

let ctx: TestApp;
let baseUrl: string;
let alice: TestUser;
let bob: TestUser;
let aliceBusiness: TestBusiness;
let bobBusiness: TestBusiness;
let aliceCampaign: { id: string };
let writeKey: string;
let readKey: string;

beforeAll(async () => {
  ctx = await buildTestApp();
  baseUrl = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  alice = await newUser(ctx.app);
  bob = await newUser(ctx.app);
  aliceBusiness = await newBusiness(ctx.app, alice);
  bobBusiness = await newBusiness(ctx.app, bob, { name: 'Rival Roasters' });
  aliceCampaign = await newCampaign(ctx.app, alice, aliceBusiness.id, {
    name: 'Spring menu launch',
  });
  await newCampaign(ctx.app, bob, bobBusiness.id, { name: 'Secret rival plan' });
  writeKey = (await newApiKey(ctx.app, alice, ['read', 'write'])).key;
  readKey = (await newApiKey(ctx.app, alice, ['read'])).key;
});
afterAll(async () => {
  await ctx.close();
});

const call = (client: Client, name: string, args: Record<string, unknown>) =>
  client.callTool({ name, arguments: args }) as Promise<CallToolResult>;

async function campaignNames(): Promise<string[]> {
  const { body } = await api<{ items: { name: string }[] }>(
    ctx.app,
    alice,
    'GET',
    `/api/v1/businesses/${aliceBusiness.id}/campaigns?limit=100`,
    undefined,
    200,
  );
  return body.items.map((item) => item.name);
}

const transports: [string, () => Promise<{ client: Client; close: () => Promise<void> }>][] = [
  [
    'Streamable HTTP with a bearer token',
    async () => {
      const client = await httpClient(baseUrl, alice.headers);
      return { client, close: () => client.close() };
    },
  ],
  [
    'stdio (herald mcp --api-key) with a read-write key',
    async () => {
      const stdio: StdioClient = await stdioClient(baseUrl, writeKey);
      return { client: stdio.client, close: () => stdio.client.close() };
    },
  ],
];

describe.each(transports)('over %s', (label, connect) => {
  let client: Client;
  let close: () => Promise<void>;
  const suffix = label.startsWith('stdio') ? 'stdio' : 'http';

  beforeAll(async () => {
    ({ client, close } = await connect());
  });
  afterAll(async () => {
    await close();
  });

  it('lists the agents’ tools with businessId required, and confirm on data-changing ones', async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect([...byName.keys()]).toEqual(
      expect.arrayContaining([
        'list_campaigns',
        'get_campaign',
        'create_campaign',
        'draft_content',
      ]),
    );
    const list = byName.get('list_campaigns');
    expect(list?.inputSchema.required).toContain('businessId');
    expect(list?.annotations?.readOnlyHint).toBe(true);
    expect(list?.inputSchema.properties).not.toHaveProperty('confirm');
    const create = byName.get('create_campaign');
    expect(create?.inputSchema.required).toEqual(expect.arrayContaining(['businessId', 'name']));
    expect(create?.inputSchema.properties).toHaveProperty('confirm');
    expect(create?.annotations?.readOnlyHint).toBe(false);
  });

  it('lists the business’s resources and prompts, and reads a resource', async () => {
    const { resources } = await client.listResources();
    const uris = resources.map((resource) => resource.uri);
    for (const kind of ['campaigns', 'content', 'sequences', 'customers', 'segments']) {
      expect(uris).toContain(`herald://businesses/${aliceBusiness.id}/${kind}`);
    }
    expect(uris.some((uri) => uri.includes(bobBusiness.id))).toBe(false);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toContain(
      'herald://businesses/{businessId}/campaigns/{campaignId}',
    );

    const read = await client.readResource({
      uri: `herald://businesses/${aliceBusiness.id}/campaigns`,
    });
    const first = read.contents[0];
    expect(first && 'text' in first ? first.text : '').toContain('Spring menu launch');
    const item = await client.readResource({
      uri: `herald://businesses/${aliceBusiness.id}/campaigns/${aliceCampaign.id}`,
    });
    const itemText = item.contents[0] && 'text' in item.contents[0] ? item.contents[0].text : '';
    expect(JSON.parse(itemText)).toMatchObject({
      id: aliceCampaign.id,
      name: 'Spring menu launch',
    });

    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(
      expect.arrayContaining([
        'plan_campaign',
        'write_week_of_posts',
        'diagnose_campaign',
        'find_churn_risks',
      ]),
    );
    const prompt = await client.getPrompt({
      name: 'plan_campaign',
      arguments: { businessId: aliceBusiness.id, goal: 'Sell more sourdough' },
    });
    const message = prompt.messages[0]?.content;
    expect(message?.type === 'text' ? message.text : '').toContain('Sell more sourdough');
    await expect(
      client.getPrompt({ name: 'plan_campaign', arguments: { businessId: aliceBusiness.id } }),
    ).rejects.toThrow(/goal/);
  });

  it('a read tool answers with the business’s data', async () => {
    const result = await call(client, 'list_campaigns', { businessId: aliceBusiness.id });
    expect(result.isError).toBeFalsy();
    const campaigns = (result.structuredContent as { campaigns: { name: string }[] }).campaigns;
    expect(campaigns.map((campaign) => campaign.name)).toContain('Spring menu launch');
    expect(textOf(result)).toContain('Spring menu launch');
  });

  it('a data-changing tool without confirm describes the action and changes nothing; with confirm: true it acts', async () => {
    const name = `Autumn bake-off ${suffix}`;
    const asked = await call(client, 'create_campaign', { businessId: aliceBusiness.id, name });
    expect(asked.isError).toBeFalsy();
    expect(asked.structuredContent).toMatchObject({
      status: 'confirmation_required',
      tool: 'create_campaign',
      arguments: { businessId: aliceBusiness.id, name, confirm: true },
    });
    expect(textOf(asked)).toContain(`Create a draft campaign "${name}"`);
    expect(await campaignNames()).not.toContain(name);

    const done = await call(client, 'create_campaign', {
      businessId: aliceBusiness.id,
      name,
      confirm: true,
    });
    expect(done.isError).toBeFalsy();
    expect(done.structuredContent).toMatchObject({ name, status: 'draft' });
    expect(await campaignNames()).toContain(name);
  });

  it('another tenant’s business is refused as not found, with none of its data', async () => {
    const result = await call(client, 'list_campaigns', { businessId: bobBusiness.id });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^NOT_FOUND: /);
    expect(JSON.stringify(result)).not.toContain('Secret rival plan');
    const write = await call(client, 'create_campaign', {
      businessId: bobBusiness.id,
      name: 'Planted',
      confirm: true,
    });
    expect(write.isError).toBe(true);
    await expect(
      client.readResource({ uri: `herald://businesses/${bobBusiness.id}/campaigns` }),
    ).rejects.toThrow(/not found/i);
  });

  it('invalid arguments are an MCP error naming the field, never a stack', async () => {
    const tooMany = await call(client, 'list_campaigns', {
      businessId: aliceBusiness.id,
      limit: 500,
    });
    expect(tooMany.isError).toBe(true);
    expect(textOf(tooMany)).toContain('Invalid arguments for list_campaigns: limit:');
    const noBusiness = await call(client, 'get_campaign', { campaignId: 'not-an-id' });
    expect(noBusiness.isError).toBe(true);
    expect(textOf(noBusiness)).toContain('businessId');
    expect(textOf(noBusiness)).toContain('campaignId');
    expect(textOf(noBusiness)).not.toMatch(/\bat .+\.ts:\d+/);
    const unknown = await call(client, 'drop_everything', { businessId: aliceBusiness.id });
    expect(unknown.isError).toBe(true);
  });
});

describe('a read-only API key', () => {
  it('sees and may call only read tools, over both transports', async () => {
    const http = await httpClient(baseUrl, { 'x-api-key': readKey });
    const stdio = await stdioClient(baseUrl, readKey);
    try {
      for (const client of [http, stdio.client]) {
        const { tools } = await client.listTools();
        expect(tools.length).toBeGreaterThan(0);
        expect(tools.every((tool) => tool.annotations?.readOnlyHint === true)).toBe(true);
        expect(tools.map((tool) => tool.name)).toContain('list_campaigns');
        expect(tools.map((tool) => tool.name)).not.toContain('create_campaign');
        const read = await call(client, 'list_campaigns', { businessId: aliceBusiness.id });
        expect(read.isError).toBeFalsy();
        const write = await call(client, 'create_campaign', {
          businessId: aliceBusiness.id,
          name: 'Read key attempt',
          confirm: true,
        });
        expect(write.isError).toBe(true);
        expect(textOf(write)).toContain('read-only');
      }
      expect(await campaignNames()).not.toContain('Read key attempt');
    } finally {
      await http.close();
      await stdio.client.close();
    }
  });
});

describe('a viewer of the business', () => {
  it('may read, and is refused a data-changing tool naming the permission', async () => {
    const viewer = await newUser(ctx.app);
    await addMember(ctx.runtime.database.db, aliceBusiness.id, viewer, 'viewer');
    const client = await httpClient(baseUrl, viewer.headers);
    try {
      const read = await call(client, 'list_campaigns', { businessId: aliceBusiness.id });
      expect(read.isError).toBeFalsy();
      const write = await call(client, 'create_campaign', {
        businessId: aliceBusiness.id,
        name: 'Viewer attempt',
        confirm: true,
      });
      expect(write.isError).toBe(true);
      expect(textOf(write)).toMatch(/^FORBIDDEN: /);
      expect(write.structuredContent).toMatchObject({
        error: { code: 'FORBIDDEN', details: { requiredPermission: 'content.write' } },
      });
    } finally {
      await client.close();
    }
    expect(await campaignNames()).not.toContain('Viewer attempt');
  });
});

describe('herald mcp (stdio)', () => {
  it('answers with an error naming the server when it cannot reach it', async () => {
    const unreachable = 'http://127.0.0.1:9';
    await expect(stdioClient(unreachable, writeKey)).rejects.toThrow(
      /Herald at http:\/\/127\.0\.0\.1:9\/mcp did not take the request/,
    );
  });

  it('answers a refused key as an error, not a hang', async () => {
    await expect(stdioClient(baseUrl, 'hk_not_a_key')).rejects.toThrow(
      /401|Authentication|API key/i,
    );
  });
});

describe('the /mcp endpoint', () => {
  it('answers 401 without credentials or with a wrong key, and 405 to GET', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const anonymous = await fetch(`${baseUrl}/mcp`, { method: 'POST', headers, body });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const wrong = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...headers, 'x-api-key': 'hk_not_a_key' },
      body,
    });
    expect(wrong.status).toBe(401);
    const get = await fetch(`${baseUrl}/mcp`, { headers: alice.headers });
    expect(get.status).toBe(405);
    expect(await get.json()).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
  });

  it('answers a malformed request in the error envelope, never a 500', async () => {
    const notAccepting = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...alice.headers, 'content-type': 'application/json', accept: 'text/html' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(notAccepting.status).toBe(406);
    const envelope = (await notAccepting.json()) as { error: { correlationId: string } };
    expect(envelope.error.correlationId).toBe(notAccepting.headers.get('x-correlation-id'));
    const notJsonRpc = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: {
        ...alice.headers,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(notJsonRpc.status).toBe(400);
    expect(await notJsonRpc.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
    const form = await fetch(`${baseUrl}/mcp?q=%00`, {
      method: 'POST',
      headers: { ...alice.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=%00',
    });
    expect(form.status).toBeGreaterThanOrEqual(400);
    expect(form.status).toBeLessThan(500);
    expect(await form.json()).toHaveProperty('error.correlationId');
  });

  it('logs each tool call in the business’s decision log and counts it in the metrics', async () => {
    const client = await httpClient(baseUrl, alice.headers);
    await call(client, 'get_campaign', {
      businessId: aliceBusiness.id,
      campaignId: aliceCampaign.id,
    });
    await client.close();
    // The rows are written after the answer is sent.
    await ctx.runtime.services.mcp.flush();
    const { body } = await api<{
      items: { channel: string; toolCalls: { tool: string; outcome: string }[] }[];
    }>(
      ctx.app,
      alice,
      'GET',
      `/api/v1/businesses/${aliceBusiness.id}/chat/decisions`,
      undefined,
      200,
    );
    const mcpCalls = body.items
      .filter((decision) => decision.channel === 'mcp')
      .flatMap((decision) => decision.toolCalls);
    expect(mcpCalls).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tool: 'get_campaign', outcome: 'done' }),
        expect.objectContaining({ tool: 'create_campaign', outcome: 'awaiting_confirmation' }),
      ]),
    );
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /herald_mcp_tool_calls_total\{tool="get_campaign",outcome="done"\} \d+/,
    );
    expect(metrics).toMatch(
      /herald_mcp_tool_calls_total\{tool="list_campaigns",outcome="invalid_arguments"\} \d+/,
    );
    expect(metrics).toContain('herald_mcp_tool_call_duration_seconds_bucket');
  });

  it('/health shows the MCP endpoint', async () => {
    const health = (await (await fetch(`${baseUrl}/health`)).json()) as {
      components: { mcp?: unknown };
    };
    expect(health.components.mcp).toEqual({ status: 'ok', enabled: true, path: '/mcp' });
  });
});

describe('with MCP_ENABLED=false', () => {
  it('/mcp is not served and /health says so', async () => {
    const off = await buildTestApp({ env: { MCP_ENABLED: 'false' } });
    try {
      const response = await off.app.inject({
        method: 'POST',
        url: '/mcp',
        headers: alice.headers,
        payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      });
      expect(response.statusCode).toBe(404);
      const health = (await off.app.inject({ url: '/health' })).json<{
        components: { mcp?: unknown };
      }>();
      expect(health.components.mcp).toEqual({
        status: 'not_configured',
        enabled: false,
        path: null,
      });
    } finally {
      await off.close();
    }
  });
});
