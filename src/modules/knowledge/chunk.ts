// Cuts a document's text into passages of about a thousand characters for embedding: whole
// paragraphs where they fit, else sentences, else runs of words, with the last sentence or so
// of one passage repeated at the start of the next so an answer spanning the cut is still found.
export interface ChunkOptions {
  /** The target length of a passage, in characters. */
  size?: number;
  /** Up to this many characters of a passage's end start the next one. */
  overlap?: number;
}

const SENTENCE_END = /(?<=[.!?])\s+(?=\S)/u;

/** Pieces no longer than `size`: paragraphs, or their sentences, or runs of their words. */
function piecesOf(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/u)) {
    const trimmed = paragraph.replace(/[ \t]+/gu, ' ').trim();
    if (trimmed.length === 0) continue;
    if (trimmed.length <= size) {
      pieces.push(trimmed);
      continue;
    }
    for (const sentence of trimmed.split(SENTENCE_END)) {
      if (sentence.length <= size) {
        pieces.push(sentence);
        continue;
      }
      let run = '';
      for (const word of sentence.split(/\s+/u)) {
        // A "word" longer than a passage (a URL, base64) is cut where it must be.
        for (let start = 0; start < word.length; start += size) {
          const part = word.slice(start, start + size);
          if (run.length + part.length + 1 > size && run.length > 0) {
            pieces.push(run);
            run = '';
          }
          run = run ? `${run} ${part}` : part;
        }
      }
      if (run) pieces.push(run);
    }
  }
  return pieces;
}

export function chunkText(text: string, options: ChunkOptions = {}): string[] {
  const size = options.size ?? 1000;
  const overlap = options.overlap ?? 150;
  const chunks: string[] = [];
  let current: string[] = [];
  let length = 0;
  let fresh = 0; // pieces in `current` not already in the previous chunk
  for (const piece of piecesOf(text, size)) {
    if (current.length > 0 && length + piece.length + 1 > size) {
      chunks.push(current.join('\n'));
      const tail: string[] = [];
      let tailLength = 0;
      for (let index = current.length - 1; index >= 0; index--) {
        const last = current[index] ?? '';
        if (tailLength + last.length + 1 > overlap) break;
        tail.unshift(last);
        tailLength += last.length + 1;
      }
      current = tail;
      length = tailLength;
      fresh = 0;
    }
    current.push(piece);
    length += piece.length + 1;
    fresh++;
  }
  if (fresh > 0) chunks.push(current.join('\n'));
  return chunks;
}
