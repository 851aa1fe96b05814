import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { ConfigError, EnvSchema, loadConfig } from './config.ts';

function issuesOf(env: Record<string, string>): ConfigError['issues'] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration from the environment', () => {
  it('starts on the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(8080);
    expect(config.database.kind).toBe('pglite');
    expect(config.redisUrl).toBeUndefined();
    expect(config.llm.provider).toBe('builtin');
    expect(config.http.bodyLimitBytes).toBe(1_048_576);
    expect(config.http.publicUrl).toBe('http://localhost:8080');
  });

  it('switches to the servers when their URLs are set', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://herald@db:5432/herald',
      REDIS_URL: 'redis://cache:6379',
    });
    expect(config.database).toMatchObject({
      kind: 'postgres',
      url: 'postgres://herald@db:5432/herald',
    });
    expect(config.redisUrl).toBe('redis://cache:6379');
  });

  it('treats an empty value as unset, as a blank line in .env means', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).database.kind).toBe('pglite');
  });

  it('names the variable and what it expected when a value is invalid', () => {
    const issues = issuesOf({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LLM_PROVIDER: 'gpt' });
    const byVariable = Object.fromEntries(issues.map((issue) => [issue.variable, issue.message]));
    expect(Object.keys(byVariable).sort()).toEqual(['DATABASE_URL', 'LLM_PROVIDER', 'PORT']);
    expect(byVariable.DATABASE_URL).toMatch(/postgres:\/\//);
    expect(byVariable.LLM_PROVIDER).toMatch(/builtin/);
    expect(byVariable.LLM_PROVIDER).toContain('"gpt"');
    expect(byVariable.PORT).toMatch(/number/i);
  });

  it('refuses a JWT secret too short to be safe', () => {
    const [issue] = issuesOf({ JWT_SECRET: 'short' });
    expect(issue).toMatchObject({ variable: 'JWT_SECRET' });
    expect(issue?.message).toMatch(/32 characters/);
  });

  it('puts every problem in one message, a line each', () => {
    try {
      loadConfig({ PORT: '-1', BODY_LIMIT_BYTES: '12' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toMatch(/^Invalid configuration:\n {2}PORT: .+\n {2}BODY_LIMIT_BYTES: .+$/);
    }
  });
});

describe('.env.example', () => {
  it('documents every variable Herald reads, and no variable it does not', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const documented = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]);
    expect([...new Set(documented)].sort()).toEqual(Object.keys(EnvSchema.shape).sort());
  });
});
