/**
 * imageToVideo: animate an image with Runway (gen4_turbo).
 * POST {RUNWAY_URL}/v1/image_to_video with `Authorization: Bearer <key>` and
 * `X-Runway-Version: 2024-11-06`, JSON `{promptImage, promptText, model:
 * "gen4_turbo", ratio, duration}` → `{id}`; GET /v1/tasks/{id} is polled
 * until `SUCCEEDED` (`output: [url, …]`, URLs that expire in 24–48 h) or
 * `FAILED` / `CANCELLED` (`failure`, `failureCode`). PENDING, THROTTLED and
 * RUNNING keep it polling. Runway downloads `promptImage` itself (an HTTPS
 * URL or an image data URL).
 *
 * Settings: `ratio` (1280:720, 720:1280, 1104:832, 832:1104, 960:960,
 * 1584:672; default 1280:720), `duration` (2–10 seconds, default 5).
 */
import { z } from 'zod';
import { obj, pollUntil, requestJson, str } from './http.js';
import { checkImageRef, clip, defineTool, slug, ToolError } from './tool.js';

export const RUNWAY_VERSION = '2024-11-06';

const settings = z.object({
  ratio: z.enum(['1280:720', '720:1280', '1104:832', '832:1104', '960:960', '1584:672']).optional(),
  duration: z.number().int().min(2).max(10).optional(),
});
type Settings = z.infer<typeof settings>;

const resolve = (s: Settings) => ({ ratio: s.ratio ?? '1280:720', duration: s.duration ?? 5 });

export const imageToVideo = defineTool<Settings, { imageUrl: string; prompt: string }>({
  name: 'imageToVideo',
  missing: (config) => (config.runway ? null : 'RUNWAY_API_KEY'),
  settings,
  definition: (s) => {
    const r = resolve(s);
    return {
      name: 'imageToVideo',
      description: `Convert an image to a short video (${r.duration} seconds, ${r.ratio}): animates the image as the prompt describes. Takes a few minutes; the video URL is returned to the user.`,
      parameters: {
        type: 'object',
        properties: {
          image_url: { type: 'string', minLength: 1, description: 'The first frame: an https URL or a data:image/…;base64 URL.' },
          prompt: { type: 'string', minLength: 1, maxLength: 1000, description: 'How the image should move: action, camera, mood.' },
        },
        required: ['image_url', 'prompt'],
        additionalProperties: false,
      },
      strict: false,
    };
  },
  args: (raw) => ({ imageUrl: checkImageRef(String(raw.image_url).trim(), 'image_url', { httpsOnly: true }), prompt: String(raw.prompt).trim() }),
  async run({ imageUrl, prompt }, s, ctx) {
    const runway = ctx.config.runway;
    if (!runway) throw new ToolError('Runway is not configured.');
    const r = resolve(s);
    const call = (method: 'GET' | 'POST', path: string, body?: unknown) =>
      requestJson(ctx, {
        service: 'Runway',
        method,
        url: `${runway.baseURL}${path}`,
        apiKey: runway.apiKey,
        headers: { 'x-runway-version': RUNWAY_VERSION },
        timeoutMs: 60_000,
        ...(body !== undefined ? { body } : {}),
      });
    const created = obj(await call('POST', '/v1/image_to_video', { promptImage: imageUrl, promptText: prompt, model: 'gen4_turbo', ratio: r.ratio, duration: r.duration })) ?? {};
    const id = str(created.id);
    if (!id) throw new ToolError('Runway answered without a task id.');
    const task = await pollUntil(ctx, `Runway task ${id}`, async () => {
      const t = obj(await call('GET', `/v1/tasks/${encodeURIComponent(id)}`)) ?? {};
      return t.status === 'SUCCEEDED' || t.status === 'FAILED' || t.status === 'CANCELLED' ? t : undefined;
    });
    if (task.status !== 'SUCCEEDED') {
      const reason = str(task.failure) ?? (task.status === 'CANCELLED' ? 'the task was cancelled' : 'no reason given');
      const code = str(task.failureCode);
      throw new ToolError(`Runway task ${id} ${String(task.status).toLowerCase()}: ${clip(reason, 300)}${code ? ` (${code})` : ''}.`);
    }
    const urls = (Array.isArray(task.output) ? task.output : []).filter((u): u is string => typeof u === 'string');
    if (urls.length === 0) throw new ToolError(`Runway task ${id} succeeded without an output URL.`);
    return {
      text: `Generated a ${r.duration}-second ${r.ratio} video from the image (Runway task ${id}). URL: ${urls[0]} (expires within 24–48 hours). The user receives the video link with this response.`,
      summary: `Runway task ${id} succeeded (${r.duration} s, ${r.ratio})`,
      urls,
    };
  },
  simulate({ prompt }, s) {
    const r = resolve(s);
    const url = `https://example.com/simulated/image-to-video/${slug(prompt)}.mp4`;
    return {
      text: `[simulated] Generated a placeholder ${r.duration}-second ${r.ratio} video from the image for "${clip(prompt, 200)}". URL: ${url} Test keys never call Runway; use a live key for a real video.`,
      summary: `[simulated] placeholder video (${r.duration} s, ${r.ratio})`,
      urls: [url],
    };
  },
});
