/** The server tools' backends as read from the environment. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, readConfig, readServerToolsConfig } from '../../src/config.js';

describe('server tools configuration', () => {
  it('leaves every backend but Tavily’s URL unconfigured by default', () => {
    assert.deepEqual(readServerToolsConfig({}), { tavily: { baseURL: 'https://api.tavily.com' } });
    assert.deepEqual(readConfig({}, {}).serverTools, { tavily: { baseURL: 'https://api.tavily.com' } });
  });

  it('defaults images and video to OpenAI when OPENAI_API_KEY is set', () => {
    assert.deepEqual(readServerToolsConfig({ OPENAI_API_KEY: 'sk-x', TAVILY_API_KEY: 'tvly-x' }), {
      tavily: { baseURL: 'https://api.tavily.com', apiKey: 'tvly-x' },
      images: { baseURL: 'https://api.openai.com/v1', apiKey: 'sk-x', model: 'gpt-image-1' },
      video: { baseURL: 'https://api.openai.com/v1', apiKey: 'sk-x', model: 'sora-2' },
    });
  });

  it('reads explicit URLs, keys and models (trailing slashes dropped)', () => {
    const c = readServerToolsConfig({
      COHORT_TAVILY_URL: 'http://tavily.internal/',
      COHORT_IMAGES_URL: 'http://127.0.0.1:7860/v1/',
      COHORT_IMAGES_MODEL: 'flux',
      COHORT_VIDEO_URL: 'https://video.example.com/v1',
      COHORT_VIDEO_API_KEY: 'vk',
      RUNWAY_API_KEY: 'key_r',
      COHORT_RUNWAY_URL: 'https://runway.example.com',
      OPENAI_API_KEY: 'sk-ignored-for-video',
    });
    assert.deepEqual(c.tavily, { baseURL: 'http://tavily.internal' });
    assert.deepEqual(c.images, { baseURL: 'http://127.0.0.1:7860/v1', model: 'flux', apiKey: 'sk-ignored-for-video' });
    assert.deepEqual(c.video, { baseURL: 'https://video.example.com/v1', model: 'sora-2', apiKey: 'vk' });
    assert.deepEqual(c.runway, { baseURL: 'https://runway.example.com', apiKey: 'key_r' });
    // A local images server without a key counts as configured.
    assert.deepEqual(readServerToolsConfig({ COHORT_IMAGES_URL: 'http://127.0.0.1:7860/v1' }).images, { baseURL: 'http://127.0.0.1:7860/v1', model: 'gpt-image-1' });
  });

  it('rejects a URL that is not http(s), naming the variable', () => {
    assert.throws(() => readServerToolsConfig({ COHORT_RUNWAY_URL: 'ftp://x' }), (e) => e instanceof ConfigError && /COHORT_RUNWAY_URL/.test(e.message));
    assert.throws(() => readServerToolsConfig({ COHORT_TAVILY_URL: 'not a url' }), (e) => e instanceof ConfigError && /COHORT_TAVILY_URL/.test(e.message));
  });
});
