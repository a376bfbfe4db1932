/**
 * How the sandbox engine slices what it streams. Concatenating the chunks
 * always gives back the input exactly.
 */

const MAX_CHUNK_CHARS = 16;

/**
 * Word-sized chunks: each chunk is a run of whitespace followed by one word
 * (so whitespace is preserved). Long runs without spaces, like compact JSON,
 * are split further at punctuation or every few characters.
 */
export function chunkText(text: string): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const m of text.matchAll(/\s*\S+|\s+$/gu)) {
    const piece = m[0];
    if (Array.from(piece).length <= MAX_CHUNK_CHARS) out.push(piece);
    else out.push(...splitLong(piece));
  }
  return out;
}

function splitLong(piece: string): string[] {
  // break after JSON punctuation first, then at a fixed width (never inside a surrogate pair)
  const parts = piece.split(/(?<=[,:{}[\]])/u).filter((p) => p.length > 0);
  const out: string[] = [];
  for (const p of parts) {
    const chars = Array.from(p);
    for (let i = 0; i < chars.length; i += MAX_CHUNK_CHARS) out.push(chars.slice(i, i + MAX_CHUNK_CHARS).join(''));
  }
  return out;
}

/** A few (1–4) roughly equal pieces of a function call's JSON arguments. */
export function chunkArguments(json: string): string[] {
  const chars = Array.from(json);
  if (chars.length <= 8) return chars.length ? [json] : [];
  const pieces = Math.min(4, Math.max(2, Math.ceil(chars.length / 24)));
  const size = Math.ceil(chars.length / pieces);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}
