/**
 * Image inputs, checked and loaded before any engine sees them — for every
 * key, so test keys get the same 400/422s as live ones.
 *
 * The rule: every image a backend receives is a `data:` URL (base64) whose
 * bytes are a PNG, JPEG, GIF or WebP by their magic bytes.
 * - An http(s) `image_url` is fetched once, here, under the SSRF guard of
 *   src/util/safe-fetch.ts (no private addresses unless COHORT_FETCH_ALLOW
 *   permits them, pinned address, ≤ 5 checked redirects, deadline, 20 MiB);
 *   the part becomes `{url: data URL, sourceUrl: the original}`. So every
 *   backend gets the bytes the way it accepts them (OpenAI Chat and
 *   Responses take data URLs, Anthropic a base64 source) and no upstream is
 *   asked to fetch a URL the server would refuse.
 * - A `data:` URL is decoded, size-checked and magic-checked the same way
 *   (and re-labelled with the detected type).
 * Stored conversations keep the client's URL, not the bytes: a follow-up
 * (previous_response_id, item_reference) loads the image again.
 *
 * A URL that may not be fetched, a body over the limit or bytes that are not
 * an image → 422 validation_error; a download that fails (DNS, connection,
 * HTTP status, timeout) → 400 invalid_request; both name the `param`. At
 * most 50 MiB of images per request.
 */
import { ApiError } from '../errors/api-error.js';
import type { ContentPart, ConversationItem } from '../providers/types.js';
import { dataUrlSize, decodeDataUrl, detectImageType } from '../util/image-bytes.js';
import { DEFAULT_MAX_FETCH_BYTES, SafeFetchError, safeFetch, type SafeFetchOptions } from '../util/safe-fetch.js';

export const MAX_IMAGE_BYTES_PER_REQUEST = 50 * 1024 * 1024;
const CONCURRENCY = 4;
/** What an image fetch asks for. */
const IMAGE_ACCEPT = 'image/*,*/*;q=0.5';

export type ImageFetchOptions = Omit<SafeFetchOptions, 'signal' | 'accept'>;

/**
 * The items with every image part loaded (see the module comment).
 * `paramOf(itemIndex, partIndex)` names the request field to blame.
 */
export async function loadImages(
  items: ConversationItem[],
  paramOf: (item: number, part: number) => string,
  options: ImageFetchOptions,
  /** The client's request: a client that leaves stops every download. */
  signal: AbortSignal,
): Promise<ConversationItem[]> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FETCH_BYTES;
  const jobs: Array<{ item: number; part: number; url: string; param: string }> = [];
  items.forEach((it, i) => {
    if (it.type !== 'message') return;
    it.content.forEach((p, j) => {
      if (p.type === 'image') jobs.push({ item: i, part: j, url: p.sourceUrl ?? p.url, param: paramOf(i, j) });
    });
  });
  if (jobs.length === 0) return items;

  let budget = MAX_IMAGE_BYTES_PER_REQUEST;
  const cache = new Map<string, Promise<string>>();
  const load = (url: string, param: string): Promise<string> => {
    let p = cache.get(url);
    if (!p) {
      p = loadOne(url, param, { ...options, maxBytes }, signal).then((dataUrl) => {
        budget -= dataUrlSize(dataUrl);
        if (budget < 0) {
          throw new ApiError('validation_error', `The request's images add up to more than ${MAX_IMAGE_BYTES_PER_REQUEST / 1024 / 1024} MiB.`, { param });
        }
        return dataUrl;
      });
      cache.set(url, p);
    }
    return p;
  };

  const results = new Array<string>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const k = next++;
      const job = jobs[k]!;
      results[k] = await load(job.url, job.param);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, worker));

  const out = items.map((it) => (it.type === 'message' ? { ...it, content: [...it.content] } : it));
  jobs.forEach((job, k) => {
    const it = out[job.item] as Extract<ConversationItem, { type: 'message' }>;
    const part = it.content[job.part] as Extract<ContentPart, { type: 'image' }>;
    const dataUrl = results[k]!;
    const sourceUrl = part.sourceUrl ?? (/^https?:/i.test(part.url) ? part.url : undefined);
    it.content[job.part] = { type: 'image', url: dataUrl, detail: part.detail, ...(sourceUrl !== undefined ? { sourceUrl } : {}) };
  });
  return out;
}

/** One image URL as a verified base64 data URL. */
async function loadOne(url: string, param: string, options: ImageFetchOptions, signal: AbortSignal): Promise<string> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FETCH_BYTES;
  let bytes: Buffer;
  if (/^data:/i.test(url)) {
    if (dataUrlSize(url) > maxBytes + 3) throw tooLarge(param, maxBytes);
    const decoded = decodeDataUrl(url);
    if (!decoded?.mediaType.startsWith('image/')) {
      throw new ApiError('validation_error', 'image_url data: URLs must be base64-encoded images (data:image/png;base64,…).', { param });
    }
    bytes = decoded.bytes;
    if (bytes.byteLength > maxBytes) throw tooLarge(param, maxBytes);
  } else {
    try {
      bytes = (await safeFetch(url, { ...options, accept: IMAGE_ACCEPT, signal })).bytes;
    } catch (err) {
      if (signal.aborted) throw new ApiError('invalid_request', 'The client closed the connection while its images were downloaded.', { param });
      if (err instanceof SafeFetchError) {
        if (err.kind === 'too_large') throw tooLarge(param, maxBytes);
        if (err.kind === 'refused') throw new ApiError('validation_error', `The image URL cannot be used: ${err.message}.`, { param });
        throw new ApiError('invalid_request', `The image could not be downloaded: ${err.message}.`, { param });
      }
      throw err;
    }
  }
  const type = detectImageType(bytes);
  if (!type) throw new ApiError('validation_error', 'The image is not a PNG, JPEG, GIF or WebP file (checked by its content).', { param });
  return `data:${type};base64,${bytes.toString('base64')}`;
}

function tooLarge(param: string, maxBytes: number): ApiError {
  return new ApiError('validation_error', `The image is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB.`, { param });
}
