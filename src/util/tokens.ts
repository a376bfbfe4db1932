/**
 * Token counting with a real BPE tokenizer (o200k_base, the encoding of current
 * OpenAI models), bundled in the package: nothing is downloaded at run time.
 */
import { encode, decode } from 'gpt-tokenizer/encoding/o200k_base';

export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return encode(text).length;
}

/** Splits text into token-aligned pieces (each piece decodes to a substring, in order). */
export function tokenPieces(text: string): string[] {
  return encode(text).map((t) => decode([t]));
}

export { encode as encodeTokens, decode as decodeTokens };
