/**
 * editImage: edit an image from a URL or data URL with an OpenAI-compatible
 * images API. POST {IMAGES_URL}/images/edits as multipart/form-data: `image`
 * (the file), `prompt`, `model`, `size`, `n` → `{data: [{b64_json | url}]}`.
 * An http(s) source image is downloaded through the guarded fetch; the image
 * (from a URL or a data URL) must be PNG, JPEG or WebP by its first bytes, at
 * most 20 MB.
 *
 * Settings: `size` (default 1024x1024), `quality`.
 */
import { decodeDataUrl, detectImageType } from '../util/image-bytes.js';
import { requestJson } from './http.js';
import { IMAGES_MISSING, imageOutcome, imageSettings, simulatedImage, type ImageSettings } from './generate-image.js';
import { checkImageRef, defineTool, ToolError, type ToolContext } from './tool.js';

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
/** What a server may label an image download with; the bytes decide what it is. */
const FETCH_TYPES = [...IMAGE_TYPES, 'image/jpg', 'application/octet-stream', 'binary/octet-stream'] as const;
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** The source image's bytes and media type (by its first bytes), from a data URL or through the guarded fetch. */
export async function loadImage(ref: string, ctx: ToolContext): Promise<{ bytes: Uint8Array; type: string }> {
  let bytes: Uint8Array;
  if (ref.startsWith('data:')) {
    const decoded = decodeDataUrl(ref);
    if (!decoded || decoded.bytes.length === 0) throw new ToolError('image_url is not a valid base64 data URL.');
    if (decoded.bytes.length > MAX_IMAGE_BYTES) throw new ToolError('image_url is larger than 20 MB.');
    bytes = decoded.bytes;
  } else {
    try {
      bytes = (await ctx.fetchGuarded(ref, { signal: ctx.signal, maxBytes: MAX_IMAGE_BYTES, timeoutMs: 30_000, accept: FETCH_TYPES })).body;
    } catch (err) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      throw new ToolError(`could not download image_url: ${err instanceof Error ? err.message : String(err)}.`, { cause: err });
    }
  }
  const type = detectImageType(bytes);
  if (!type || !(IMAGE_TYPES as readonly string[]).includes(type)) throw new ToolError(`image_url must be a PNG, JPEG or WebP image${type ? `, not ${type}` : ''}.`);
  return { bytes, type };
}

export const editImage = defineTool<ImageSettings, { imageUrl: string; prompt: string }>({
  name: 'editImage',
  missing: (config) => (config.images ? null : IMAGES_MISSING),
  settings: imageSettings,
  definition: () => ({
    name: 'editImage',
    description: 'Edit an existing image according to a text prompt. Takes the image URL (or data URL) and describes the change; the edited image is returned to the user.',
    parameters: {
      type: 'object',
      properties: {
        image_url: { type: 'string', minLength: 1, description: 'The image to edit: an http(s) URL or a data:image/png;base64,… URL.' },
        prompt: { type: 'string', minLength: 1, maxLength: 4000, description: 'What to change in the image.' },
      },
      required: ['image_url', 'prompt'],
      additionalProperties: false,
    },
    strict: false,
  }),
  args: (raw) => ({ imageUrl: checkImageRef(String(raw.image_url).trim(), 'image_url'), prompt: String(raw.prompt).trim() }),
  async run({ imageUrl, prompt }, s, ctx) {
    const images = ctx.config.images;
    if (!images) throw new ToolError('the images API is not configured.');
    const size = s.size ?? '1024x1024';
    const image = await loadImage(imageUrl, ctx);
    const form = new FormData();
    form.set('model', images.model);
    form.set('prompt', prompt);
    form.set('size', size);
    form.set('n', '1');
    if (s.quality) form.set('quality', s.quality);
    form.set('image', new Blob([new Uint8Array(image.bytes)], { type: image.type }), `image.${EXTENSIONS[image.type] ?? 'png'}`);
    const body = await requestJson(ctx, {
      service: 'the images API',
      method: 'POST',
      url: `${images.baseURL}/images/edits`,
      apiKey: images.apiKey,
      body: form,
      timeoutMs: 180_000,
    });
    return imageOutcome(body, 'Edited', prompt, size);
  },
  simulate: ({ prompt }, s) => simulatedImage('Edited', prompt, s.size ?? '1024x1024'),
});
