// What a model call costs: a per-model price table (USD per million tokens) that LLM_PRICES
// extends or overrides. The builtin provider is free; a model missing from the table is priced
// at zero (a local Ollama model is) and logged once so an operator can add it.
export interface ModelPrice {
  /** USD per million prompt tokens. */
  input: number;
  /** USD per million completion tokens. */
  output: number;
}

/** List prices when this table was written; LLM_PRICES overrides any of them. */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  builtin: { input: 0, output: 0 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5': { input: 1.25, output: 10 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'grok-4': { input: 3, output: 15 },
  'grok-3-mini': { input: 0.3, output: 0.5 },
};

export interface PriceTable {
  /** Cost in USD, or undefined when the model has no price. */
  costOf(model: string, promptTokens: number, completionTokens: number): number | undefined;
}

export function createPriceTable(overrides: Record<string, ModelPrice> = {}): PriceTable {
  const prices = new Map(Object.entries({ ...DEFAULT_PRICES, ...overrides }));
  return {
    costOf(model, promptTokens, completionTokens) {
      const price = prices.get(model);
      if (!price) return undefined;
      return (promptTokens * price.input + completionTokens * price.output) / 1_000_000;
    },
  };
}
