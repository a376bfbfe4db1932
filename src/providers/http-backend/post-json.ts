/**
 * One JSON POST whose reply is one JSON body (no event stream): what the
 * embedding backends need. The request's signal aborts the call; HTTP,
 * connection and read failures go through the backend's own mappers, as
 * postForEvents (post-events.ts) does for answers.
 */
import { parseJson } from '../../util/parse-json.js';
import { malformedUpstream } from '../../util/upstream-errors.js';
import { readText, sendPost, type UpstreamPost, WHOLE_BODY_LIMIT } from './post-events.js';

export type JsonExchange = UpstreamPost;

export async function postJson(x: JsonExchange): Promise<unknown> {
  const reply = await sendPost(x, true);
  let consumed = false;
  try {
    const text = await readText(reply, x, WHOLE_BODY_LIMIT);
    consumed = true;
    const parsed = parseJson(text);
    if (!parsed.ok) throw malformedUpstream('a body that is not JSON');
    return parsed.value;
  } finally {
    if (!consumed) reply.cancel();
  }
}

/** The vectors of a reply, checked: `count` of them, finite numbers, one dimension. */
export function checkVectors(vectors: unknown[], count: number, what: string): number[][] {
  if (vectors.length !== count) throw malformedUpstream(`${what} with ${vectors.length} embeddings for ${count} inputs`);
  let dim = -1;
  return vectors.map((v) => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) throw malformedUpstream(`${what} with an embedding that is not a list of numbers`);
    if (dim >= 0 && v.length !== dim) throw malformedUpstream(`${what} with embeddings of different dimensions`);
    dim = v.length;
    return v as number[];
  });
}
