/**
 * generateImage (alias image_generation): an OpenAI-compatible images API.
 * POST {IMAGES_URL}/images/generations `{model, prompt, size, n: 1}` →
 * `{data: [{b64_json | url, revised_prompt?}]}`. GPT image models answer with
 * `b64_json`, DALL·E with `url`; both are kept.
 *
 * Settings: `size` (default 1024x1024), `quality`.
 */
import { z } from 'zod';
import { obj, requestJson, str } from './http.js';
import { clip, defineTool, ToolError, type ToolOutcome } from './tool.js';

export const IMAGE_SIZES = ['auto', '1024x1024', '1536x1024', '1024x1536', '256x256', '512x512', '1792x1024', '1024x1792'] as const;

export const imageSettings = z.object({
  size: z.enum(IMAGE_SIZES).optional(),
  quality: z.enum(['auto', 'low', 'medium', 'high', 'standard', 'hd']).optional(),
});
export type ImageSettings = z.infer<typeof imageSettings>;

/** A fixed 1×1 PNG: what test keys get instead of a generated image. */
export const SIMULATED_PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

export const IMAGES_MISSING = 'COHORT_IMAGES_API_KEY (or OPENAI_API_KEY)';

/** The first image of an images API answer, as an outcome. */
export function imageOutcome(body: unknown, verb: 'Generated' | 'Edited', prompt: string, size: string): ToolOutcome {
  const data = obj(body)?.data;
  const first = Array.isArray(data) ? obj(data[0]) : undefined;
  const b64 = str(first?.b64_json);
  const url = str(first?.url);
  if (!b64 && !url) throw new ToolError('the images API answered without an image (no data[0].b64_json or data[0].url).');
  const revised = str(first?.revised_prompt);
  const out: ToolOutcome = {
    text: `${verb} an image (${size}) for "${clip(prompt, 200)}"${revised ? ` (revised prompt: "${clip(revised, 200)}")` : ''}.${url ? ` URL: ${url}` : ''} The user receives the image with this response.`,
    summary: `${verb.toLowerCase()} 1 image (${size})`,
  };
  if (url) out.urls = [url];
  if (b64) out.b64_json = b64;
  return out;
}

export function simulatedImage(verb: 'Generated' | 'Edited', prompt: string, size: string): ToolOutcome {
  return {
    text: `[simulated] ${verb} a placeholder image (${size}) for "${clip(prompt, 200)}". Test keys return a fixed 1x1 PNG; use a live key for a real image.`,
    summary: `[simulated] ${verb.toLowerCase()} 1 placeholder image`,
    b64_json: SIMULATED_PNG_B64,
  };
}

export const generateImage = defineTool<ImageSettings, { prompt: string }>({
  name: 'generateImage',
  missing: (config) => (config.images ? null : IMAGES_MISSING),
  settings: imageSettings,
  definition: (s) => ({
    name: 'generateImage',
    description: `Generate an image from a text prompt${s.size && s.size !== 'auto' ? ` (${s.size})` : ''}. The image is returned to the user.`,
    parameters: {
      type: 'object',
      properties: { prompt: { type: 'string', minLength: 1, maxLength: 4000, description: 'A detailed description of the image to generate.' } },
      required: ['prompt'],
      additionalProperties: false,
    },
    strict: false,
  }),
  args: (raw) => ({ prompt: String(raw.prompt).trim() }),
  async run({ prompt }, s, ctx) {
    const images = ctx.config.images;
    if (!images) throw new ToolError('the images API is not configured.');
    const size = s.size ?? '1024x1024';
    const body = await requestJson(ctx, {
      service: 'the images API',
      method: 'POST',
      url: `${images.baseURL}/images/generations`,
      apiKey: images.apiKey,
      body: { model: images.model, prompt, size, n: 1, ...(s.quality ? { quality: s.quality } : {}) },
      timeoutMs: 180_000,
    });
    return imageOutcome(body, 'Generated', prompt, size);
  },
  simulate: ({ prompt }, s) => simulatedImage('Generated', prompt, s.size ?? '1024x1024'),
});
