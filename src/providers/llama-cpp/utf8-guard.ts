/**
 * Tokens the local engine never samples: the byte-fallback tokens of bytes
 * that cannot occur anywhere in well-formed UTF-8 (C0, C1, F5–FF).
 *
 * Why: llama.cpp's grammar decodes a token's bytes leniently, so such a byte
 * sequence (an overlong `C1 81`, or an `F8 …` lead) passes a string rule as
 * ONE character, while the text that reaches JavaScript holds one U+FFFD per
 * byte. A grammar-constrained `"maxLength": 12` string could then arrive with
 * 15 characters. No answer ever needs these bytes, so banning their tokens
 * costs nothing. The grammar's string rule also excludes surrogates
 * (`ED A0…`) and code points above U+10FFFF (`F4 90…`) (grammar.ts,
 * STRICT_STRING_CHAR_CLASS). Measured on the random-weights fixture,
 * four-string schema generations at temperature 1.5: with neither, 10–11 of
 * 300 broke a maxLength; with the ban, 7 of 2,000; with both, 1 of 2,000.
 *
 * What remains: overlong sequences (`E0 80…`, `F0 80…`), which decode to the
 * same code points as valid characters, so no grammar over code points can
 * refuse them, and which only a model sampling bytes at random writes; the
 * run's structured-output check reports them (response `failed` with a clear
 * error), never invalid output.
 *
 * Only SentencePiece vocabularies (Llama 2, Mistral, Gemma…) are covered:
 * their byte tokens are named `<0xNN>` in the GGUF file. Byte-level BPE
 * vocabularies (Llama 3, Qwen…) get no bias.
 */
import type { LlamaModel, Token } from './llama-api.js';

/** Bytes that never occur in well-formed UTF-8. */
export const NEVER_UTF8_BYTES: readonly number[] = [0xc0, 0xc1, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff];

/** The model's byte tokens for NEVER_UTF8_BYTES (empty when its vocabulary has none we can name). */
export function invalidUtf8ByteTokens(model: LlamaModel): Token[] {
  if (model.vocabularyType !== 'spm') return [];
  const names = model.fileInfo.metadata?.tokenizer?.ggml?.tokens;
  if (!Array.isArray(names)) return [];
  const wanted = new Set(NEVER_UTF8_BYTES.map((b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`));
  const out: Token[] = [];
  for (let i = 0; i < names.length; i++) {
    if (typeof names[i] === 'string' && wanted.has(names[i] as string) && model.getTokenAttributes(i as Token).byte) out.push(i as Token);
  }
  return out;
}
