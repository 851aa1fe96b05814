// How far an approved text is from the AI draft it came from: the Levenshtein distance (single
// characters inserted, deleted or replaced). The common beginning and end are set aside first, so
// a typical review (a word here, a sentence there) is compared on the changed middle only. A
// middle longer than MAX_COMPARED characters is compared on its first MAX_COMPARED characters
// and the rest counted as rewritten: an upper bound, so a long blog draft costs bounded time.

export const MAX_COMPARED = 2000;

/** The Levenshtein distance between `draft` and `approved`, in characters (code points). */
export function editDistance(draft: string, approved: string): number {
  const a = Array.from(draft);
  const b = Array.from(approved);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const left = a.slice(start, endA);
  const right = b.slice(start, endB);
  const rest = Math.max(left.length - MAX_COMPARED, right.length - MAX_COMPARED, 0);
  return levenshtein(left.slice(0, MAX_COMPARED), right.slice(0, MAX_COMPARED)) + rest;
}

function levenshtein(a: string[], b: string[]): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // One row of the table at a time: row[j] is the distance between a[0..i) and b[0..j).
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] ?? 0;
}

/** The median of `values` (the mean of the two middle ones for an even count); null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
