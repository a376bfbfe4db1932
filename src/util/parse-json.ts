/**
 * JSON that came from outside (an upstream, a model, a tool API) is untrusted:
 * a parse that returns a result instead of throwing into the caller.
 */
/** JSON.parse that never throws. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
