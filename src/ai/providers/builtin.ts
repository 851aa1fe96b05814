// The builtin provider: Herald's embedded default. No network and no model: it fills a
// hand-written template for the task (or, for tasks without one, any value the schema allows)
// from the business profile and the task input. Same input, same output. It is labelled
// `builtin` as provider and model wherever its output shows, and costs nothing. Words the profile
// says to avoid, and words the marketer's notes forbid, never appear in what it writes. Its chat
// steps are rules over read-only tools (builtin-chat.ts).
import type { AiProvider, ProviderCall } from '../types.ts';
import { builtinChat } from './builtin-chat.ts';
import { forbiddenWords, scrubbed } from './builtin-profile.ts';
import { synthesize } from './builtin-synth.ts';

export const BUILTIN = 'builtin';

/** FNV-1a: a stable seed from the task and its input. */
function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The usual rule of thumb (about four characters per token), so usage figures are plausible. */
const tokensOf = (text: string) => Math.ceil(text.length / 4);

export function createBuiltinProvider(): AiProvider {
  return {
    name: BUILTIN,
    breakerName: `llm:${BUILTIN}`,
    model: () => BUILTIN,
    generate(call: ProviderCall) {
      const avoid = forbiddenWords(call.business, call.input.notes);
      const value = call.template
        ? call.template({
            business: call.business,
            input: call.input,
            seed: seedOf(JSON.stringify([call.task, call.input, call.business])),
            avoid,
          })
        : synthesize(call.jsonSchema, call.business);
      const text = JSON.stringify(scrubbed(value, avoid));
      const promptText = call.prompt.system + call.prompt.messages.map((m) => m.content).join('');
      return Promise.resolve({
        text,
        model: BUILTIN,
        promptTokens: tokensOf(promptText),
        completionTokens: tokensOf(text),
      });
    },
    chat: builtinChat,
  };
}
