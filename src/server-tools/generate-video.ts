/**
 * generateVideo: the OpenAI videos API (Sora). POST {VIDEO_URL}/videos
 * `{model, prompt, seconds, size}` → a video job `{id, status: queued |
 * in_progress | completed | failed, progress, error}`; GET /videos/{id} is
 * polled until it completes or fails (every `pollIntervalMs`, 5 s, for at
 * most `pollTimeoutMs`, 10 min — ServerToolsDeps; a cancelled response stops
 * the wait). The result is
 * {VIDEO_URL}/videos/{id}/content — the MP4, downloadable with the server's
 * video API key until the job expires.
 *
 * Settings: `seconds` (4, 8 or 12; alias `duration`; default 4), `size`
 * (720x1280, 1280x720, 1024x1792, 1792x1024; default 1280x720).
 */
import { z } from 'zod';
import { obj, pollUntil, requestJson, str } from './http.js';
import { clip, defineTool, slug, ToolError } from './tool.js';

const SECONDS = z.union([z.enum(['4', '8', '12']), z.literal(4), z.literal(8), z.literal(12)]);

const settings = z.object({
  seconds: SECONDS.optional(),
  duration: SECONDS.optional(),
  size: z.enum(['720x1280', '1280x720', '1024x1792', '1792x1024']).optional(),
});
type Settings = z.infer<typeof settings>;

const resolve = (s: Settings) => ({ seconds: String(s.seconds ?? s.duration ?? 4), size: s.size ?? '1280x720' });

export const generateVideo = defineTool<Settings, { prompt: string }>({
  name: 'generateVideo',
  missing: (config) => (config.video ? null : 'COHORT_VIDEO_API_KEY (or OPENAI_API_KEY)'),
  settings,
  definition: (s) => {
    const r = resolve(s);
    return {
      name: 'generateVideo',
      description: `Generate a short video (${r.seconds} seconds, ${r.size}) from a text prompt. Takes a few minutes; the video URL is returned to the user.`,
      parameters: {
        type: 'object',
        properties: { prompt: { type: 'string', minLength: 1, maxLength: 4000, description: 'A detailed description of the video: subject, action, setting, camera.' } },
        required: ['prompt'],
        additionalProperties: false,
      },
      strict: false,
    };
  },
  args: (raw) => ({ prompt: String(raw.prompt).trim() }),
  async run({ prompt }, s, ctx) {
    const video = ctx.config.video;
    if (!video) throw new ToolError('the video API is not configured.');
    const r = resolve(s);
    const call = (method: 'GET' | 'POST', path: string, body?: unknown) =>
      requestJson(ctx, { service: 'the video API', method, url: `${video.baseURL}${path}`, apiKey: video.apiKey, timeoutMs: 60_000, ...(body !== undefined ? { body } : {}) });
    let job = obj(await call('POST', '/videos', { model: video.model, prompt, seconds: r.seconds, size: r.size })) ?? {};
    const id = str(job.id);
    if (!id) throw new ToolError('the video API answered without a video id.');
    let fresh = true;
    job = await pollUntil(ctx, `Video ${id}`, async () => {
      if (!fresh) job = obj(await call('GET', `/videos/${encodeURIComponent(id)}`)) ?? {};
      fresh = false;
      return job.status === 'completed' || job.status === 'failed' ? job : undefined;
    });
    if (job.status === 'failed') {
      const error = obj(job.error);
      throw new ToolError(`video ${id} failed${error ? `: ${clip(str(error.message) ?? str(error.code) ?? 'no reason given', 300)}` : ''}.`);
    }
    const url = `${video.baseURL}/videos/${encodeURIComponent(id)}/content`;
    const seconds = str(job.seconds) ?? r.seconds;
    const size = str(job.size) ?? r.size;
    return {
      text: `Generated a ${seconds}-second ${size} video (id ${id}) for "${clip(prompt, 200)}". URL: ${url} The user receives the video link with this response.`,
      summary: `video ${id} completed (${seconds} s, ${size})`,
      urls: [url],
    };
  },
  simulate({ prompt }, s) {
    const r = resolve(s);
    const url = `https://example.com/simulated/videos/${slug(prompt)}.mp4`;
    return {
      text: `[simulated] Generated a placeholder ${r.seconds}-second ${r.size} video for "${clip(prompt, 200)}". URL: ${url} Test keys never call the video API; use a live key for a real video.`,
      summary: `[simulated] placeholder video (${r.seconds} s, ${r.size})`,
      urls: [url],
    };
  },
});
