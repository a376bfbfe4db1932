import { createLlamaCppProvider } from './index.js';
import type { ProviderRequest, ProviderEvent } from '../types.js';
const p = createLlamaCppProvider({ modelPath: '/work/shared/fixtures/models/llama-2-tiny-random.gguf', threads: 1, contextSize: 1024 });
function req(over: Partial<ProviderRequest> = {}): ProviderRequest {
  return { system: 'You are terse.', items: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'Hello there, how are you?' }] }], tools: [], toolChoice: { mode: 'auto' }, parallelToolCalls: true, format: { type: 'text' }, sampling: {}, signal: new AbortController().signal, ...over };
}
async function run(label: string, r: ProviderRequest) {
  const t = Date.now(); const evs: ProviderEvent[] = [];
  for await (const e of p.stream(r)) evs.push(e);
  const text = evs.filter(e => e.type === 'text-delta').map(e => (e as any).delta).join('');
  const args = evs.filter(e => e.type === 'tool-call-delta').map(e => (e as any).delta).join('');
  console.log(label, Date.now() - t, 'ms', evs.length, 'events', JSON.stringify(text).slice(0, 200), args, JSON.stringify(evs.filter(e => !['text-delta','tool-call-delta'].includes(e.type))));
}
let t = Date.now(); await p.load(); console.log('load', Date.now() - t);
await run('text8', req({ sampling: { maxOutputTokens: 8 } }));
await run('text0', req({ sampling: { maxOutputTokens: 30, temperature: 0 } }));
await run('json', req({ format: { type: 'json_schema', name: 'x', strict: true, schema: { type: 'object', properties: { name: { type: 'string', maxLength: 12 }, n: { type: 'integer', enum: [1, 2, 3] }, ok: { type: 'boolean' } }, required: ['name', 'n', 'ok'], additionalProperties: false } } }));
await run('json2', req({ format: { type: 'json_schema', name: 'x', strict: true, schema: { type: 'object', properties: { name: { type: 'string', maxLength: 12 }, n: { type: 'integer', enum: [1, 2, 3] }, ok: { type: 'boolean' } }, required: ['name', 'n', 'ok'], additionalProperties: false } } }));
const tools = [{ name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 10 }, unit: { enum: ['c', 'f'] } }, required: ['city', 'unit'], additionalProperties: false }, strict: true },
  { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string', maxLength: 8 } }, required: ['tz'] }, strict: false }];
await run('forced', req({ tools, toolChoice: { mode: 'required' } }));
await run('named', req({ tools, toolChoice: { mode: 'function', name: 'get_time' } }));
await run('auto', req({ tools, sampling: { maxOutputTokens: 40 } }));
await p.close();
