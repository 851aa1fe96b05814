// @vitest-environment happy-dom
// The MCP section of the integrations page: the endpoint on this origin, the business id, the
// link to the API keys page, and a copyable configuration for each kind of client.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { McpSection } from './mcp-section';

const BUSINESS_ID = '00000000-0000-4000-8000-000000000001';

afterEach(() => {
  cleanup();
});

function renderSection() {
  render(
    <MemoryRouter>
      <McpSection businessId={BUSINESS_ID} />
    </MemoryRouter>,
  );
}

describe('McpSection', () => {
  it('shows the endpoint on this origin, the business id and where to make an API key', () => {
    renderSection();
    expect(screen.getByTestId('mcp-endpoint').textContent).toBe(`${window.location.origin}/mcp`);
    expect(screen.getByTestId('mcp-business-id').textContent).toBe(BUSINESS_ID);
    expect(screen.getByRole('link', { name: 'API keys' }).getAttribute('href')).toBe(
      '/account/api-keys',
    );
  });

  it('gives a configuration for Claude Desktop, Cursor and other clients', () => {
    renderSection();
    const origin = window.location.origin;
    const claude = JSON.parse(screen.getByTestId('mcp-config').textContent) as {
      mcpServers: { herald: { args: string[]; env: Record<string, string> } };
    };
    expect(claude.mcpServers.herald.args).toEqual(expect.arrayContaining(['mcp', '--url', origin]));
    expect(claude.mcpServers.herald.env).toHaveProperty('HERALD_API_KEY');

    fireEvent.click(screen.getByRole('button', { name: 'Cursor' }));
    expect(screen.getByRole('button', { name: 'Cursor' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    const cursor = JSON.parse(screen.getByTestId('mcp-config').textContent) as {
      mcpServers: { herald: { url: string; headers: Record<string, string> } };
    };
    expect(cursor.mcpServers.herald.url).toBe(`${origin}/mcp`);
    expect(cursor.mcpServers.herald.headers).toHaveProperty('X-API-Key');

    fireEvent.click(screen.getByRole('button', { name: 'Other clients' }));
    expect(screen.getByTestId('mcp-config').textContent).toContain('Streamable HTTP');
  });

  it('copies the configuration shown', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderSection();
    fireEvent.click(screen.getByRole('button', { name: 'Cursor' }));
    fireEvent.click(screen.getByRole('button', { name: 'Copy the configuration' }));
    expect(writeText).toHaveBeenCalledWith(screen.getByTestId('mcp-config').textContent);
    await waitFor(() => {
      expect(screen.getByRole('button', { name: 'Copy the configuration' }).textContent).toBe(
        'Copied',
      );
    });
  });
});
