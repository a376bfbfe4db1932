/**
 * Reading a body someone else sends as text, never more than a limit: an
 * upstream's error body, a tool API's reply. Bytes past the limit are not read.
 */

/** The body as text, at most `limit` bytes (the rest is discarded). */
export async function readText(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  try {
    return await textOf(response.body, limit);
  } finally {
    response.body.cancel().catch(() => {});
  }
}

/** At most `limit` bytes of a body's chunks, as UTF-8 text (stops reading there). */
export async function textOf(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    size += chunk.byteLength;
    if (size >= limit) break;
  }
  return parts.length === 1 ? Buffer.from(parts[0]!.buffer, parts[0]!.byteOffset, parts[0]!.byteLength).toString('utf8') : Buffer.concat(parts).toString('utf8');
}
