/**
 * Things a message names: places, numbers, money amounts, e-mail addresses,
 * URLs, quoted phrases, a search query, a clock time.
 */
import { capitalize, isStopword, stripTerminal } from './words.js';


const NOT_PLACES = new Set(
  `i what when where why how who which is are do does did can could would should will the a an and or but if please hey hi hello
  monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october
  november december today tomorrow yesterday celsius fahrenheit ok okay thanks thank also tell give show find get search look
  check compare list send book make create let use using ai api`.split(/\s+/),
);

export interface Place {
  text: string;
  index: number;
}

/**
 * Place-like names in a message: runs of capitalized words ("New York"), best
 * first when they follow "in/at/near/to/from/for"; lowercase words after those
 * prepositions are a fallback ("weather in paris" → "Paris").
 */
export function extractPlaces(message: string, exclude: ReadonlySet<string> = new Set()): Place[] {
  const found: Array<Place & { score: number }> = [];
  const re = /\b([A-Z][\p{L}'’.-]*(?:\s+(?:de|del|da|do|la|le|of|upon|am|sur)?\s*[A-Z][\p{L}'’.-]*)*)/gu;
  for (const m of message.matchAll(re)) {
    const text = (m[1] ?? '').replace(/['’]s$/u, '').replace(/[.'’-]+$/u, '').trim();
    const idx = m.index ?? 0;
    const words = text.split(/\s+/);
    // drop a leading non-place word ("What Paris" never happens, but "Is Paris" at sentence start can)
    while (words.length && (NOT_PLACES.has((words[0] ?? '').toLowerCase()) || exclude.has((words[0] ?? '').toLowerCase()))) words.shift();
    const clean = words.join(' ');
    if (!clean || clean.length < 2 || NOT_PLACES.has(clean.toLowerCase()) || exclude.has(clean.toLowerCase())) continue;
    if (/^[A-Z0-9]{2,}$/.test(clean) && clean.length <= 5) continue; // tickers and acronyms
    const before = message.slice(Math.max(0, idx - 8), idx).toLowerCase();
    const sentenceStart = idx === 0 || /[.!?]\s*$/.test(message.slice(0, idx));
    let score = /\b(?:in|at|near|to|from|for|around|visit|of)\s+$/.test(before) ? 3 : 1;
    if (sentenceStart && score === 1) score = 0.5;
    found.push({ text: clean, index: idx + (text.length - clean.length), score });
  }
  if (found.length === 0) {
    for (const m of message.matchAll(/\b(?:in|at|near|around)\s+([a-z][a-z'-]{2,}(?:\s+[a-z][a-z'-]{2,})?)/g)) {
      const raw = (m[1] ?? '').split(/\s+/).filter((w) => !isStopword(w) && !NOT_PLACES.has(w));
      if (raw.length === 0) continue;
      const text = raw.map((w) => capitalize(w)).join(' ');
      if (exclude.has(text.toLowerCase())) continue;
      found.push({ text, index: m.index ?? 0, score: 1 });
    }
  }
  return found.sort((a, b) => b.score - a.score || a.index - b.index).map(({ text, index }) => ({ text, index }));
}

/** Plain numbers in a message (not money amounts: see extractAmounts). */
export function extractNumbers(message: string): number[] {
  return [...message.matchAll(/(?<![\p{L}\d.$€£,])-?\d+(?:\.\d+)?(?![\p{L}\d%])/gu)]
    .filter((m) => !/^\s*(?:dollars?|usd|eur|euros?|bucks|gbp)\b/i.test(message.slice((m.index ?? 0) + m[0].length)))
    .map((m) => Number(m[0]))
    .filter((n) => Number.isFinite(n));
}

/** Money amounts: "$149", "€20", "49.99 dollars", "$1,200". */
export function extractAmounts(message: string): number[] {
  const out: number[] = [];
  for (const m of message.matchAll(/[$€£]\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s*(?:dollars?|usd|eur|euros?|bucks|gbp)\b/giu)) {
    const n = Number((m[1] ?? m[2] ?? '').replace(/,/g, ''));
    if (Number.isFinite(n)) out.push(n);
  }
  return out;
}

export function extractEmail(message: string): string | undefined {
  return /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/.exec(message)?.[0];
}

export function extractUrl(message: string): string | undefined {
  return /\bhttps?:\/\/[^\s"'<>)]+/.exec(message)?.[0]?.replace(/[.,;:!?]+$/, '');
}

export function extractQuoted(message: string): string | undefined {
  const m = /["“']([^"“”']{2,200})["”']/.exec(message);
  return m?.[1]?.trim() || undefined;
}

/** "Can you search the docs for refund policy?" → "refund policy"; otherwise the message itself. */
export function extractQuery(message: string): string {
  const quoted = extractQuoted(message);
  if (quoted) return quoted;
  let t = message.replace(/\s+/g, ' ').trim();
  t = t.replace(/^(?:hey|hi|hello|please|ok(?:ay)?|so)\b[\s,!.]*/i, '');
  t = t.replace(/^(?:can|could|would|will) (?:you|u) (?:please )?/i, '');
  t = t.replace(/^please\s+/i, '');
  const m = /^(?:search|look up|lookup|find|google|query|research|check)\b(?:\s+(?:the web|online|the docs|the internet|our docs|the database|for me))?(?:\s+(?:for|about|on))?\s+(.+)$/i.exec(t);
  if (m?.[1]) t = m[1];
  t = stripTerminal(t);
  return t || message.trim();
}

/** A clock time in a message as HH:MM (24h): "7pm" → "19:00", "at 18:30" → "18:30". */
export function extractClockTime(message: string): string | undefined {
  const ampm = /\b(1[0-2]|0?[1-9])(?::([0-5]\d))?\s*(am|pm|a\.m\.|p\.m\.)(?![\p{L}])/iu.exec(message);
  if (ampm) {
    let h = Number(ampm[1]) % 12;
    if (/^p/i.test(ampm[3] ?? '')) h += 12;
    return `${String(h).padStart(2, '0')}:${ampm[2] ?? '00'}`;
  }
  const h24 = /\b([01]?\d|2[0-3]):([0-5]\d)\b/.exec(message);
  if (h24) return `${String(Number(h24[1])).padStart(2, '0')}:${h24[2]}`;
  if (/\bnoon\b/i.test(message)) return '12:00';
  return undefined;
}
