/**
 * Token counting with a real BPE tokenizer (o200k_base, the encoding of current
 * OpenAI models), bundled in the package: nothing is downloaded at run time.
 *
 * The encoding costs ~70 MB of memory, so it is loaded on first use: a server
 * whose backends report usage themselves (every live upstream does) never
 * loads it; the sandbox engine and usage estimates do.
 */
import { createRequire } from 'node:module';

interface Encoding {
  encode(text: string): number[];
  decode(tokens: number[]): string;
}

let encoding: Encoding | undefined;

function load(): Encoding {
  encoding ??= createRequire(import.meta.url)('gpt-tokenizer/cjs/encoding/o200k_base') as Encoding;
  return encoding;
}

export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return load().encode(text).length;
}

export function encodeTokens(text: string): number[] {
  return load().encode(text);
}

export function decodeTokens(tokens: number[]): string {
  return load().decode(tokens);
}

/** Splits text into token-aligned pieces (each piece decodes to a substring, in order). */
export function tokenPieces(text: string): string[] {
  const enc = load();
  return enc.encode(text).map((t) => enc.decode([t]));
}
