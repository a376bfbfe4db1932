/**
 * File inputs given by URL (`input_file.file_url`), fetched by the server
 * under the same SSRF guard as image URLs (src/util/safe-fetch.ts) before any
 * engine sees them — for every key, so test keys get the same 4xx as live ones.
 *
 * Why fetch instead of checking the URL and passing it on: an upstream that
 * fetches the URL itself resolves the name again and follows redirects on
 * its own, so a URL that passed our check could still reach the metadata
 * address or a service next to the upstream (a self-hosted Responses server
 * shares our network). Fetching here pins the checked address, re-checks
 * every redirect and bounds the bytes; every backend then gets `file_data`
 * (a base64 data URL), which they all accept, and the OpenAI-compatible Chat
 * backend, which takes no file URLs, gets them too.
 *
 * The part becomes `{data: data URL, filename, sourceUrl: the original}`. Its
 * media type: `application/pdf` when the bytes start with `%PDF-`, else the
 * server's content-type, else application/octet-stream (the backend decides
 * what it accepts). The filename: the client's, else the URL's last path
 * segment. Stored conversations keep the client's URL (prepare stores the
 * items before loading), so a follow-up fetches the file again.
 *
 * A URL that may not be fetched or a body over the limit → 422
 * validation_error; a download that fails → 400 invalid_request; both name
 * the `param`. At most 20 MiB per file and 50 MiB of files per request.
 */
import { ApiError } from '../errors/api-error.js';
import type { ContentPart, ConversationItem } from '../providers/types.js';
import { DEFAULT_MAX_FETCH_BYTES, SafeFetchError, safeFetch } from '../util/safe-fetch.js';
import type { ImageFetchOptions } from './images.js';

export const MAX_FILE_BYTES_PER_REQUEST = 50 * 1024 * 1024;
const CONCURRENCY = 4;
const MIB = 1024 * 1024;

type FilePart = Extract<ContentPart, { type: 'file' }>;

/**
 * The items with every `file_url` part fetched (see the module comment);
 * the items given are not changed. `paramOf(itemIndex, partIndex)` names the
 * request field to blame.
 */
export async function loadFileUrls(
  items: ConversationItem[],
  paramOf: (item: number, part: number) => string,
  options: ImageFetchOptions,
  /** The client's request: a client that leaves stops every download. */
  signal: AbortSignal,
): Promise<ConversationItem[]> {
  const jobs: Array<{ item: number; part: number; url: string; param: string }> = [];
  items.forEach((it, i) => {
    if (it.type !== 'message') return;
    it.content.forEach((p, j) => {
      if (p.type === 'file' && p.url !== undefined && p.data === undefined) jobs.push({ item: i, part: j, url: p.url, param: paramOf(i, j) });
    });
  });
  if (jobs.length === 0) return items;

  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FETCH_BYTES;
  let budget = MAX_FILE_BYTES_PER_REQUEST;
  const cache = new Map<string, Promise<{ bytes: Buffer; mediaType: string }>>();
  const load = (url: string, param: string) => {
    let p = cache.get(url);
    if (!p) {
      p = fetchFile(url, param, { ...options, maxBytes }, signal).then((file) => {
        budget -= file.bytes.byteLength;
        if (budget < 0) throw new ApiError('validation_error', `The request's files add up to more than ${MAX_FILE_BYTES_PER_REQUEST / MIB} MiB.`, { param });
        return file;
      });
      cache.set(url, p);
    }
    return p;
  };

  const results = new Array<{ bytes: Buffer; mediaType: string }>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const k = next++;
      results[k] = await load(jobs[k]!.url, jobs[k]!.param);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, worker));

  const out = items.map((it) => (it.type === 'message' ? { ...it, content: [...it.content] } : it));
  jobs.forEach((job, k) => {
    const it = out[job.item] as Extract<ConversationItem, { type: 'message' }>;
    const { url: _, ...part } = it.content[job.part] as FilePart;
    const file = results[k]!;
    it.content[job.part] = {
      ...part,
      filename: part.filename ?? filenameOf(job.url, file.mediaType),
      data: `data:${file.mediaType};base64,${file.bytes.toString('base64')}`,
      sourceUrl: job.url,
    };
  });
  return out;
}

async function fetchFile(url: string, param: string, options: ImageFetchOptions, signal: AbortSignal): Promise<{ bytes: Buffer; mediaType: string }> {
  if (!/^https?:\/\//i.test(url)) throw new ApiError('validation_error', 'file_url must be an http(s) URL; send the bytes as file_data (a base64 data: URL) instead.', { param });
  try {
    const got = await safeFetch(url, { ...options, signal });
    return { bytes: got.bytes, mediaType: mediaTypeOf(got.bytes, got.contentType) };
  } catch (err) {
    if (signal.aborted) throw new ApiError('invalid_request', 'The client closed the connection while its files were downloaded.', { param });
    if (err instanceof SafeFetchError) {
      if (err.kind === 'too_large') throw new ApiError('validation_error', `The file is larger than ${Math.round((options.maxBytes ?? DEFAULT_MAX_FETCH_BYTES) / MIB)} MiB.`, { param });
      if (err.kind === 'refused') throw new ApiError('validation_error', `The file URL cannot be used: ${err.message}.`, { param });
      throw new ApiError('invalid_request', `The file could not be downloaded: ${err.message}.`, { param });
    }
    throw err;
  }
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

function mediaTypeOf(bytes: Buffer, contentType: string | undefined): string {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  const declared = contentType?.split(';')[0]?.trim().toLowerCase();
  return declared && MEDIA_TYPE.test(declared) ? declared : 'application/octet-stream';
}

function filenameOf(url: string, mediaType: string): string {
  let last = '';
  try {
    last = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    last = '';
  }
  const clean = last.replace(/[\u0000-\u001f\u007f/\\]/g, '').slice(-200);
  if (clean !== '') return clean;
  return mediaType === 'application/pdf' ? 'file.pdf' : mediaType.startsWith('text/') ? 'file.txt' : 'file';
}
