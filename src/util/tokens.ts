/**
 * Token counting with a real BPE tokenizer (o200k_base, the encoding of current
 * OpenAI models), bundled in the package: nothing is downloaded at run time.
 *
 * The encoding costs ~70 MB of memory, so it is loaded on first use: a server
 * whose backends report usage themselves (every live upstream does) never
 * loads it; the sandbox engine and usage estimates do.
 *
 * Linear cost, whatever the text. gpt-tokenizer's byte-pair merge is
 * quadratic in the length of a pre-token (the regex split: a word, a run of
 * punctuation, of whitespace), and a run without spaces is one pre-token:
 * 25 KB of `a` took 0.4–8 s, 2 MB of combining marks never ended. So the text
 * is split with the encoding's own regex here, and a pre-token longer than
 * `MAX_PIECE` characters is merged in `MAX_PIECE`-character chunks: the same
 * tokens as the library for every ordinary word (the longest o200k token is
 * 128 bytes, far below a chunk of real text), and a close count for the rest,
 * at a cost bounded by MAX_PIECE per character. Decoding collects byte tokens
 * in one growing buffer (the library copies its buffer per byte token).
 * Special-token strings (`<|endoftext|>`) in text are ordinary text here: a
 * client's text is never a control token (the library throws on them).
 */
import { createRequire } from 'node:module';

/** The slice of gpt-tokenizer's internal BytePairEncodingCore used here (pinned version; checked at load). */
interface BpeCore {
  tokenSplitRegex: RegExp;
  getBpeRankFromString(piece: string): number | undefined;
  bytePairEncode(piece: string): number[];
  tryDecodeToken(token: number): string | Uint8Array | undefined;
  setMergeCacheSize(size: number): void;
}

/** Pre-tokens longer than this in UTF-8 bytes are merged in chunks of at most this size. */
export const MAX_PIECE_BYTES = 64;
/**
 * Distinct pieces whose merges are kept. The library's own cache is off: it
 * evicts its oldest entry per insertion once full, and a V8 Map drained from the
 * front that way slows down (each `keys().next()` skips the deleted entries):
 * 2–8 µs per character of unique text. This one is emptied when full.
 */
const MERGE_CACHE_SIZE = 20_000;
const merges = new Map<string, number[]>();

function merge(c: BpeCore, piece: string): number[] {
  let tokens = merges.get(piece);
  if (tokens) return tokens;
  tokens = c.bytePairEncode(piece);
  if (merges.size >= MERGE_CACHE_SIZE) merges.clear();
  merges.set(piece, tokens);
  return tokens;
}

let core: BpeCore | undefined;
/** The split regex, sticky (a match where the last one ended) and global (the next one, for a gap). */
let sticky: RegExp | undefined;
let global: RegExp | undefined;
const utf8 = new TextDecoder('utf-8');

function load(): BpeCore {
  if (core) return core;
  const api = (createRequire(import.meta.url)('gpt-tokenizer/cjs/encoding/o200k_base') as { default: { bytePairEncodingCoreProcessor?: BpeCore } }).default;
  const c = api.bytePairEncodingCoreProcessor;
  if (!c || !(c.tokenSplitRegex instanceof RegExp) || typeof c.bytePairEncode !== 'function' || typeof c.tryDecodeToken !== 'function' || typeof c.getBpeRankFromString !== 'function') {
    throw new Error('gpt-tokenizer changed its internals: src/util/tokens.ts needs updating');
  }
  c.setMergeCacheSize(0);
  const flags = c.tokenSplitRegex.flags.replace(/[gy]/g, '');
  sticky = new RegExp(c.tokenSplitRegex.source, `${flags}y`);
  global = new RegExp(c.tokenSplitRegex.source, `${flags}g`);
  core = c;
  return c;
}

/**
 * Calls `emit` with the tokens of each piece of `text`, in order. The pieces are the split
 * regex's matches, as matchAll finds them, read without a match object each: the regex
 * matches where the previous piece ended (it covers every character), tested sticky and
 * cut out with slice; only a gap would be searched for.
 */
function eachPiece(text: string, emit: (tokens: number[] | number) => void): void {
  const c = load();
  const at = sticky!;
  const next = global!;
  let from = 0;
  while (from < text.length) {
    at.lastIndex = from;
    let start = from;
    let end: number;
    if (at.test(text)) end = at.lastIndex;
    else {
      next.lastIndex = from;
      const m = next.exec(text);
      if (!m) return;
      start = m.index;
      end = start + m[0].length;
    }
    // No alternative of the split regex matches the empty string, so each piece moves on.
    emitPiece(c, text.slice(start, end), emit);
    from = end > start ? end : start + 1;
  }
}

function emitPiece(c: BpeCore, piece: string, emit: (tokens: number[] | number) => void): void {
  const rank = c.getBpeRankFromString(piece);
  if (rank !== undefined) emit(rank);
  else if (piece.length <= MAX_PIECE_BYTES / 4 || utf8Length(piece, MAX_PIECE_BYTES + 1) <= MAX_PIECE_BYTES) emit(merge(c, piece));
  else {
    for (let at = 0; at < piece.length; ) {
      const end = chunkEnd(piece, at);
      const chunk = piece.slice(at, end);
      emit(c.getBpeRankFromString(chunk) ?? merge(c, chunk));
      at = end;
    }
  }
}

/** UTF-8 length of `s`, counted up to `stop`. */
function utf8Length(s: string, stop: number): number {
  let n = 0;
  for (let i = 0; i < s.length && n < stop; i++) n += unitBytes(s.charCodeAt(i));
  return n;
}

/** UTF-8 bytes a UTF-16 code unit stands for (a surrogate: half of its pair's 4). */
function unitBytes(code: number): number {
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code <= 0xdfff ? 2 : 3;
}

/** Where the chunk of `piece` starting at `at` ends: at most MAX_PIECE_BYTES of UTF-8, never inside a surrogate pair. */
function chunkEnd(piece: string, at: number): number {
  let bytes = 0;
  let i = at;
  while (i < piece.length) {
    const b = unitBytes(piece.charCodeAt(i));
    if (bytes + b > MAX_PIECE_BYTES && i > at) break;
    bytes += b;
    i++;
  }
  if (i < piece.length && i - at > 1 && isHighSurrogate(piece.charCodeAt(i - 1))) i--;
  return i;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Counts of the last texts counted between COUNT_CACHE_MIN and COUNT_CACHE_MAX characters
 * (at most COUNT_CACHE_SIZE, emptied when full): the same system prompt and questions are
 * counted on every turn of a conversation (a focus-group respondent's: every answer).
 */
const COUNT_CACHE_SIZE = 64;
const COUNT_CACHE_MIN = 256;
const COUNT_CACHE_MAX = 16_384;
const counts = new Map<string, number>();

export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  const cacheable = text.length >= COUNT_CACHE_MIN && text.length <= COUNT_CACHE_MAX;
  if (cacheable) {
    const known = counts.get(text);
    if (known !== undefined) return known;
  }
  let n = 0;
  eachPiece(text, (t) => (n += typeof t === 'number' ? 1 : t.length));
  if (cacheable) {
    if (counts.size >= COUNT_CACHE_SIZE) counts.clear();
    counts.set(text, n);
  }
  return n;
}

export function encodeTokens(text: string): number[] {
  const out: number[] = [];
  if (text.length === 0) return out;
  eachPiece(text, (t) => {
    if (typeof t === 'number') out.push(t);
    else for (const x of t) out.push(x);
  });
  return out;
}

/** The text of `tokens`; a sequence cut inside a character ends in U+FFFD. */
export function decodeTokens(tokens: number[]): string {
  const c = load();
  let out = '';
  let bytes: number[] = [];
  // A run of byte tokens ends at a string token (whole characters): what it left incomplete stays so.
  const flush = () => {
    if (bytes.length === 0) return;
    out += utf8.decode(Uint8Array.from(bytes));
    bytes = [];
  };
  for (const t of tokens) {
    const v = c.tryDecodeToken(t);
    if (v === undefined) throw new Error(`Token ${t} is not in the o200k vocabulary.`);
    if (typeof v === 'string') {
      flush();
      out += v;
    } else for (const b of v) bytes.push(b);
  }
  flush();
  return out;
}

/** Splits text into token-aligned pieces (each piece decodes to a substring, in order). */
export function tokenPieces(text: string): string[] {
  return encodeTokens(text).map((t) => decodeTokens([t]));
}
