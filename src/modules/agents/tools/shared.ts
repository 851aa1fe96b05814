// What every domain's tools share: the bounded `limit` field, and the helpers that keep a result
// small enough for a model to read (clipped text, lists cut to the limit, one-sentence summaries).
import { z } from 'zod';

/** How many items a list tool returns: 1–50, 10 unless asked. */
export const Limit = z
  .number()
  .int()
  .min(1)
  .max(50)
  .default(10)
  .describe('How many to return, in the list order the tool describes (1–50; default 10)');

/** A text cut to `max` characters (code points), with an ellipsis when it was longer. */
export function clip(text: string, max: number): string {
  const characters = Array.from(text.trim());
  return characters.length > max ? `${characters.slice(0, max - 1).join('')}…` : text.trim();
}

/** "Spring launch, Summer sale and 3 more" — at most `shown` names, then how many others. */
export function nameList(names: readonly string[], shown = 5): string {
  const quoted = names.slice(0, shown);
  const others = names.length - quoted.length;
  if (others > 0) return `${quoted.join(', ')} and ${String(others)} more`;
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} and ${String(quoted.at(-1))}`;
}

/** "1 campaign" / "3 campaigns". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${String(n)} ${n === 1 ? one : many}`;
}

/** A list's sentence: "3 campaigns: A, B and C (more exist)." or "No campaigns." */
export function listSentence(
  items: readonly string[],
  one: string,
  options: { many?: string; more?: boolean; qualifier?: string } = {},
): string {
  const noun = count(items.length, one, options.many);
  const what = options.qualifier ? noun.replace(' ', ` ${options.qualifier} `) : noun;
  if (items.length === 0)
    return `No ${options.qualifier ? `${options.qualifier} ` : ''}${options.many ?? `${one}s`}.`;
  const more = options.more ? ' (more exist: raise the limit to see them)' : '';
  return `${what}: ${nameList(items)}${more}.`;
}

/** A short, recognisable id for sentences the user reads (the full id is in the result). */
export const shortId = (id: string) => id.slice(0, 8);

/** A figure as a percentage with one decimal, or "n/a" when it cannot be computed. */
export const percent = (ratio: number | null) =>
  ratio === null ? 'n/a' : `${(Math.round(ratio * 1000) / 10).toString()} %`;
