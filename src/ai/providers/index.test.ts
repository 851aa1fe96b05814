import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../../config.ts';
import { createProviders } from './index.ts';

function providersFor(env: Record<string, string>) {
  return createProviders(loadConfig(env).llm);
}

describe('provider selection', () => {
  it('defaults to the builtin provider, with no fallback', () => {
    const { primary, fallback } = providersFor({});
    expect(primary.name).toBe('builtin');
    expect(primary.model('strong')).toBe('builtin');
    expect(fallback).toBeUndefined();
  });

  it('uses the provider defaults per tier and the env overrides', () => {
    const openai = providersFor({ LLM_PROVIDER: 'openai', LLM_API_KEY: 'k' }).primary;
    expect([openai.model('fast'), openai.model('strong')]).toEqual(['gpt-4o-mini', 'gpt-4o']);
    const anthropic = providersFor({
      LLM_PROVIDER: 'anthropic',
      LLM_API_KEY: 'k',
      LLM_MODEL_STRONG: 'claude-opus-4-1',
    }).primary;
    expect([anthropic.model('fast'), anthropic.model('strong')]).toEqual([
      'claude-haiku-4-5',
      'claude-opus-4-1',
    ]);
  });

  it('gives each OpenAI-compatible server its own breaker, and the strong tier falls back to fast', () => {
    const { primary, fallback } = providersFor({
      LLM_PROVIDER: 'openai-compatible',
      LLM_BASE_URL: 'http://localhost:11434/v1',
      LLM_MODEL_FAST: 'llama3.2',
      LLM_FALLBACK_PROVIDER: 'openai-compatible',
      LLM_FALLBACK_BASE_URL: 'https://api.x.ai/v1',
      LLM_FALLBACK_API_KEY: 'k',
      LLM_FALLBACK_MODEL_FAST: 'grok-3-mini',
    });
    expect(primary.model('strong')).toBe('llama3.2');
    expect(primary.breakerName).toBe('llm:openai-compatible:localhost:11434');
    expect(fallback?.breakerName).toBe('llm:openai-compatible:api.x.ai');
  });

  it('names the missing variables when a provider cannot work as configured', () => {
    expect(() => providersFor({ LLM_PROVIDER: 'openai-compatible' })).toThrow(ConfigError);
    try {
      providersFor({ LLM_PROVIDER: 'openai-compatible' });
    } catch (error) {
      expect((error as ConfigError).issues.map((issue) => issue.variable)).toEqual([
        'LLM_BASE_URL',
        'LLM_MODEL_FAST',
      ]);
    }
    expect(() => providersFor({ LLM_FALLBACK_PROVIDER: 'anthropic' })).toThrow(
      /LLM_FALLBACK_API_KEY/,
    );
  });

  it('rejects an LLM_PRICES that is not a JSON price table', () => {
    expect(() => loadConfig({ LLM_PRICES: 'cheap' })).toThrow(/LLM_PRICES/);
    expect(() => loadConfig({ LLM_PRICES: '{"m":{"input":-1,"output":1}}' })).toThrow(/LLM_PRICES/);
    expect(loadConfig({ LLM_PRICES: '{"m":{"input":1,"output":2}}' }).llm.prices).toEqual({
      m: { input: 1, output: 2 },
    });
  });
});
