/**
 * The one place that finds the JSON in a model's reply. Backends with native
 * structured outputs send bare JSON; others (and models that ignore the
 * format) wrap it in a Markdown code fence or in a sentence of prose. The
 * router's JSON emulation, the analysis pass and persona generation each had
 * their own regex for this; generateObject (./generate-object.ts) uses this
 * one, and the others are meant to move onto it (issue 11, item 3).
 *
 * Linear in the reply's length: one fence scan, one indexOf/lastIndexOf per
 * bracket kind, at most four JSON.parse calls.
 */

/** The content of the first Markdown code fence (```json … ``` or ``` … ```), or the text trimmed when there is none. */
export function stripCodeFences(text: string): string {
  const open = text.indexOf('```');
  if (open < 0) return text.trim();
  // Skip the info string (e.g. "json") up to the end of the opening line.
  let start = open + 3;
  const newline = text.indexOf('\n', start);
  const info = newline < 0 ? '' : text.slice(start, newline);
  if (newline >= 0 && /^[\w+-]*\s*$/.test(info)) start = newline + 1;
  else if (/^json/i.test(text.slice(start, start + 4))) start += 4;
  const close = text.indexOf('```', start);
  return (close < 0 ? text.slice(start) : text.slice(start, close)).trim();
}

export type JsonReply = { ok: true; value: unknown; text: string } | { ok: false; error: string };

/**
 * The JSON value in a reply: the whole text, else a fenced block, else the
 * outermost {…}, else the outermost […]. `text` is the JSON alone.
 */
export function extractJson(reply: string): JsonReply {
  const whole = reply.trim();
  if (whole === '') return { ok: false, error: 'the reply is empty' };
  const candidates = [whole];
  if (whole.includes('```')) candidates.push(stripCodeFences(whole));
  for (const [open, close] of [
    ['{', '}'],
    ['[', ']'],
  ] as const) {
    const start = whole.indexOf(open);
    const end = whole.lastIndexOf(close);
    if (start >= 0 && end > start) candidates.push(whole.slice(start, end + 1));
  }
  let firstError = '';
  const tried = new Set<string>();
  for (const c of candidates) {
    if (tried.has(c)) continue;
    tried.add(c);
    try {
      return { ok: true, value: JSON.parse(c) as unknown, text: c };
    } catch (err) {
      firstError ||= err instanceof Error ? err.message : String(err);
    }
  }
  return { ok: false, error: `the reply is not valid JSON (${firstError})` };
}
