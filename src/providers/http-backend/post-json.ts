/**
 * One JSON POST whose reply is one JSON body (no event stream): what the
 * embedding backends need. The request's signal aborts the call; HTTP,
 * connection and read failures go through the backend's own mappers, as
 * postForEvents (post-events.ts) does for answers.
 */
import { textOf } from '../../util/body-text.js';
import { parseJson } from '../../util/parse-json.js';
import type { UpstreamClient } from '../../util/upstream-client.js';
import { malformedUpstream } from '../../util/upstream-errors.js';
import { abortReason, type UpstreamErrorMappers } from './post-events.js';

export interface JsonExchange extends UpstreamErrorMappers {
  client: UpstreamClient;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  signal: AbortSignal;
}

const ERROR_BODY_LIMIT = 64 * 1024;
/** An embeddings reply of a few thousand floats per text; far above what a study's calls get back. */
const BODY_LIMIT = 64 * 1024 * 1024;

export async function postJson(x: JsonExchange): Promise<unknown> {
  if (x.signal.aborted) throw abortReason(x.signal, undefined);
  let reply;
  try {
    reply = await x.client(x.url, { headers: x.headers, body: JSON.stringify(x.body), signal: x.signal, whole: true });
  } catch (err) {
    if (x.signal.aborted) throw abortReason(x.signal, err);
    throw x.connectionError(err);
  }
  let consumed = false;
  try {
    if (reply.status < 200 || reply.status > 299) {
      const text = await textOf(reply.body, ERROR_BODY_LIMIT).catch(() => '');
      throw x.httpError(reply.status, reply.headers(), text);
    }
    let text: string;
    try {
      text = await textOf(reply.body, BODY_LIMIT);
    } catch (err) {
      if (x.signal.aborted) throw abortReason(x.signal, err);
      throw x.readError(err);
    }
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
