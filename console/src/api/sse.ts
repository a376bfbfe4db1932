/**
 * Server-sent events read from a fetch body (the Responses stream is a POST,
 * which EventSource cannot make). Frames split across chunks are joined;
 * `data:` lines are concatenated; comments and `[DONE]` are skipped.
 */
export interface SseFrame {
  event: string | null;
  data: string;
  id: string | null;
}

export async function* readSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseFrame> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      if (signal?.aborted) return;
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = frameEnd(buffer)) >= 0) {
        const raw = buffer.slice(0, cut);
        buffer = buffer.slice(cut).replace(/^(\r\n|\r|\n){2}/, '');
        const frame = parse(raw);
        if (frame && frame.data !== '[DONE]') yield frame;
      }
    }
    const last = parse(buffer);
    if (last && last.data !== '[DONE]') yield last;
  } finally {
    reader.releaseLock();
  }
}

function frameEnd(buffer: string): number {
  const m = /(\r\n|\r|\n){2}/.exec(buffer);
  return m ? m.index : -1;
}

function parse(raw: string): SseFrame | null {
  let event: string | null = null;
  let id: string | null = null;
  const data: string[] = [];
  for (const line of raw.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  if (data.length === 0 && event === null) return null;
  return { event, data: data.join('\n'), id };
}
