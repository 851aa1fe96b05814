// Chooses the providers from configuration: the primary (LLM_*) and an optional fallback
// (LLM_FALLBACK_*) used while the primary's circuit breaker is open. A provider that cannot
// work as configured stops start-up with the variable to fix.
import { type Config, ConfigError } from '../../config.ts';
import type { AiProvider } from '../types.ts';
import { createBuiltinProvider } from './builtin.ts';
import { createSdkProvider } from './sdk.ts';

const DEFAULT_MODELS = {
  openai: { fast: 'gpt-4o-mini', strong: 'gpt-4o' },
  anthropic: { fast: 'claude-haiku-4-5', strong: 'claude-sonnet-4-5' },
} as const;

interface ProviderSettings {
  provider: Config['llm']['provider'];
  baseUrl: string | undefined;
  apiKey: string | undefined;
  modelFast: string | undefined;
  modelStrong: string | undefined;
}

export function createProvider(settings: ProviderSettings, prefix: 'LLM' | 'LLM_FALLBACK') {
  const problems: { variable: string; message: string }[] = [];
  const { provider } = settings;
  if (provider === 'builtin') return createBuiltinProvider();
  if (provider === 'openai-compatible' && !settings.baseUrl) {
    problems.push({
      variable: `${prefix}_BASE_URL`,
      message: 'required for openai-compatible (e.g. http://localhost:11434/v1 for Ollama)',
    });
  }
  if ((provider === 'openai' || provider === 'anthropic') && !settings.apiKey) {
    problems.push({ variable: `${prefix}_API_KEY`, message: `required for ${provider}` });
  }
  const defaults = provider === 'openai-compatible' ? undefined : DEFAULT_MODELS[provider];
  const fast = settings.modelFast ?? defaults?.fast;
  if (!fast) {
    problems.push({
      variable: `${prefix}_MODEL_FAST`,
      message: 'required for openai-compatible (the model name the server knows)',
    });
  }
  if (problems.length > 0 || !fast) throw new ConfigError(problems);
  return createSdkProvider({
    name: provider,
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    models: { fast, strong: settings.modelStrong ?? defaults?.strong ?? fast },
  });
}

export function createProviders(llm: Config['llm']): {
  primary: AiProvider;
  fallback: AiProvider | undefined;
} {
  return {
    primary: createProvider(llm, 'LLM'),
    fallback: llm.fallback ? createProvider(llm.fallback, 'LLM_FALLBACK') : undefined,
  };
}
