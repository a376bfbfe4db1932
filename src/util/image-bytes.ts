/**
 * Image bytes a client sent or the server fetched: the type is read from the
 * first bytes (never from an extension or a content-type), and `data:` URLs
 * are decoded — so every backend gets bytes that are what they claim to be.
 */
export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** The image type from its first bytes (PNG, JPEG, GIF, WebP), or undefined. */
export function detectImageType(bytes: Uint8Array): ImageMediaType | undefined {
  const b = bytes;
  const at = (i: number) => b[i] ?? -1;
  const ascii = (from: number, text: string) => [...text].every((c, i) => at(from + i) === c.charCodeAt(0));
  if ([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => at(i) === v)) return 'image/png';
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  return undefined;
}

/** A `data:` URL's media type and bytes; undefined when it is not a well-formed base64 data URL. */
export function decodeDataUrl(url: string): { mediaType: string; bytes: Buffer } | undefined {
  const m = /^data:([^,;]*)((?:;[^,;]*)*?);base64,(.*)$/is.exec(url);
  if (!m) return undefined;
  const payload = m[3]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload) || payload.length % 4 === 1) return undefined;
  return { mediaType: (m[1] ?? '').toLowerCase(), bytes: Buffer.from(payload, 'base64') };
}

/** Upper bound of the decoded size of a base64 data URL, without decoding it. */
export function dataUrlSize(url: string): number {
  const comma = url.indexOf(',');
  return comma < 0 ? 0 : Math.floor(((url.length - comma - 1) * 3) / 4);
}
