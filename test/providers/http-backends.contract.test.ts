/**
 * The contract every HTTP backend keeps, run over each one in a loop against its real
 * HTTP mock upstream speaking the vendor's wire protocol (test/helpers/http-backends.ts
 * holds each backend's wire kit): streamed text and tool calls become the same provider
 * events; a stream cut anywhere reassembles; a recorded stream replays; usage maps (or is
 * estimated) and finish reasons map; a whole JSON answer gives the same events; upstream
 * errors map to the error registry without leaking the key; a request that is not
 * incremental asks for one JSON reply; aborts close the upstream connection.
 *
 * What only one backend does (request conversion, Anthropic's json_schema emulation,
 * reasoning effort, rate-limit headers…) is tested in that backend's own file.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { FunctionToolDef, ProviderEvent } from '../../src/providers/types.js';
import { wireKits } from '../helpers/http-backends.js';
import { apiErrorMatcher, argsOf, collect, request, textOf } from '../helpers/provider-kit.js';

const TOOL: FunctionToolDef = { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] }, strict: false };

const isAbort = (err: unknown) => err instanceof Error && err.name === 'AbortError';

/** What a consumer takes from the events: the text, the calls, usage and finish (not how they were cut). */
function answerOf(events: ProviderEvent[]) {
  const calls = new Map<number, { callId: string; name: string; args: string }>();
  let text = '';
  let usage: ProviderEvent | undefined;
  let finish: ProviderEvent | undefined;
  for (const e of events) {
    if (e.type === 'text-delta') text += e.delta;
    else if (e.type === 'tool-call-start') calls.set(e.index, { callId: e.callId, name: e.name, args: '' });
    else if (e.type === 'tool-call-delta') calls.get(e.index)!.args += e.delta;
    else if (e.type === 'usage') usage = e;
    else if (e.type === 'finish') finish = e;
  }
  return { text, calls: [...calls.values()].map((c) => ({ ...c, args: JSON.parse(c.args) as unknown })), usage, finish };
}

// The backends run side by side (each has its own mock upstream); each one's tests in order.
describe('HTTP backend contract', { concurrency: true }, () => {
  for (const kit of wireKits()) {
    const isApiError = apiErrorMatcher(kit.apiKey);
    const provider = () => kit.provider();

    describe(kit.name, { concurrency: 1 }, () => {
      before(() => kit.start());
      after(() => kit.close());
      beforeEach(() => {
        kit.requests.length = 0;
      });

      describe('streamed answers', () => {
        it('streams text as text-delta events, then usage and finish (reasoning on the wire ignored)', async () => {
          kit.serve({ reasoning: ['**Weighing the price**', ' She is careful with money.'], text: ['Honestly', ', ', 'yes.'], usage: { input: 42, output: 3 } });
          const events = await collect(provider().stream(request()));
          assert.deepEqual(events, [
            { type: 'text-delta', delta: 'Honestly' },
            { type: 'text-delta', delta: ', ' },
            { type: 'text-delta', delta: 'yes.' },
            kit.usageEvent(42, 3),
            { type: 'finish', reason: 'stop' },
          ]);
        });

        it('streams two parallel tool calls', async () => {
          kit.serve({
            calls: [
              { id: 'call_weather', name: 'get_weather', args: ['{"ci', 'ty":"Par', 'is"}'] },
              { id: 'call_time', name: 'get_time', args: ['{"tz":', '"CET"}'] },
            ],
          });
          const events = await collect(provider().stream(request()));
          assert.deepEqual(
            events.filter((e) => e.type === 'tool-call-start'),
            [
              { type: 'tool-call-start', index: 0, callId: 'call_weather', name: 'get_weather' },
              { type: 'tool-call-start', index: 1, callId: 'call_time', name: 'get_time' },
            ],
          );
          assert.equal(argsOf(events, 0), '{"city":"Paris"}');
          assert.equal(argsOf(events, 1), '{"tz":"CET"}');
          // every delta comes after its start and before its end
          for (const index of [0, 1]) {
            const start = events.findIndex((e) => e.type === 'tool-call-start' && e.index === index);
            const end = events.findIndex((e) => e.type === 'tool-call-end' && e.index === index);
            const deltas = events.flatMap((e, at) => (e.type === 'tool-call-delta' && e.index === index ? [at] : []));
            assert.ok(deltas.length > 0 && deltas.every((at) => at > start && at < end), `call ${index}: deltas between start and end`);
          }
          const end0 = events.findIndex((e) => e.type === 'tool-call-end' && e.index === 0);
          const start1 = events.findIndex((e) => e.type === 'tool-call-start' && e.index === 1);
          if (kit.callEnds === 'before-next') assert.ok(end0 < start1, 'a call ends before the next starts');
          else {
            const tail = events.slice(-4);
            assert.deepEqual(tail[0], { type: 'tool-call-end', index: 0 });
            assert.deepEqual(tail[1], { type: 'tool-call-end', index: 1 });
          }
          assert.equal(events.at(-2)!.type, 'usage');
          assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool_calls' });
        });

        it('reassembles a stream cut at awkward byte positions (mid-JSON, mid-UTF-8) with CRLF line ends', async () => {
          const text = ['Ça coûte ', '5 €', ' — 🙂 trop cher', ' für mich.'];
          kit.serve({ text, split: { every: 7 }, delayMs: 1, lineEnding: '\r\n', trailingDone: true });
          const events = await collect(provider().stream(request()));
          assert.equal(textOf(events), text.join(''));
          assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
        });

        it(`replays a recorded ${kit.name} stream served over HTTP`, async () => {
          kit.serveRecorded();
          const events = await collect(provider().stream(request()));
          if (kit.recorded.firstText !== undefined) assert.equal(textOf(events), kit.recorded.firstText);
          assert.equal(argsOf(events, 0), kit.recorded.args[0]);
          assert.equal(argsOf(events, 1), kit.recorded.args[1]);
          assert.deepEqual(events.at(-2), kit.recorded.usage);
          assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool_calls' });
        });
      });

      describe('usage and finish mapping', () => {
        it('maps cached and reasoning tokens', async () => {
          kit.serveDetailedUsage();
          const events = await collect(provider().stream(request()));
          assert.deepEqual(
            events.find((e) => e.type === 'usage'),
            kit.detailedUsage.event,
          );
        });

        if (kit.estimatesMissingUsage) {
          it('estimates usage with the tokenizer when the server sends none', async () => {
            kit.serve({ text: ['Hello', ' there', ' friend'], usage: false });
            const events = await collect(provider().stream(request({ system: 'You are a persona.' })));
            const usage = events.find((e) => e.type === 'usage');
            assert.ok(usage && usage.type === 'usage');
            assert.equal(usage.outputTokens, 3);
            assert.ok(usage.inputTokens > 10 && usage.inputTokens < 40, `inputTokens ${usage.inputTokens}`);
          });
        }

        for (const [raw, expected] of kit.finishReasons) {
          it(`maps ${kit.finishField} ${String(raw)} → ${expected}`, async () => {
            kit.serveFinish(raw);
            const events = await collect(provider().stream(request()));
            assert.deepEqual(events.at(-1), { type: 'finish', reason: expected });
          });
        }
      });

      describe('a whole JSON answer where a stream was asked for', () => {
        it('text → the same events as the stream', async () => {
          kit.serveWhole({ text: 'I would not.', usage: { input: 20, output: 4 } });
          const events = await collect(provider().stream(request()));
          assert.deepEqual(events, [
            { type: 'text-delta', delta: 'I would not.' },
            { type: 'usage', inputTokens: 20, outputTokens: 4 },
            { type: 'finish', reason: 'stop' },
          ]);
        });

        it('text and a tool call → the same events as the stream', async () => {
          kit.serveWhole({ text: 'I would not.', calls: [{ id: 'call_a', name: 'one', args: { a: 1 } }], usage: { input: 20, output: 4 } });
          const events = await collect(provider().stream(request()));
          assert.deepEqual(events, [
            { type: 'text-delta', delta: 'I would not.' },
            { type: 'tool-call-start', index: 0, callId: 'call_a', name: 'one' },
            { type: 'tool-call-delta', index: 0, delta: '{"a":1}' },
            { type: 'tool-call-end', index: 0 },
            { type: 'usage', inputTokens: 20, outputTokens: 4 },
            { type: 'finish', reason: 'tool_calls' },
          ]);
        });
      });

      describe('errors', () => {
        it('429 with retry-after → service_unavailable 503 carrying retry-after', async () => {
          kit.serveError({ status: 429, retryAfter: 7, message: 'Rate limit reached for requests in organization org-abc' });
          await assert.rejects(
            collect(provider().stream(request())),
            isApiError('service_unavailable', 503, (e) => {
              assert.equal(e.headers['retry-after'], '7');
              assert.ok(!e.message.includes('org-abc'));
              if (kit.rateLimitedMessage) assert.match(e.message, kit.rateLimitedMessage);
            }),
          );
        });

        if (kit.retryAfterMs) {
          it('429 with retry-after-ms → retry-after in whole seconds', async () => {
            kit.serveError({ status: 429, retryAfterMs: 1500 });
            await assert.rejects(
              collect(provider().stream(request())),
              isApiError('service_unavailable', 503, (e) => assert.equal(e.headers['retry-after'], '2')),
            );
          });
        }

        it('500 → service_unavailable', async () => {
          kit.serveError({ status: 500, message: 'The server had an error' });
          await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503));
        });

        for (const status of kit.authStatuses) {
          it(`${status} → service_unavailable naming ${kit.keyEnvVar}, never the key`, async () => {
            kit.serveError({ status, message: `Incorrect API key provided: ${kit.apiKey}.` });
            await assert.rejects(
              collect(provider().stream(request())),
              isApiError('service_unavailable', 503, (e) => assert.match(e.message, new RegExp(kit.keyEnvVar))),
            );
          });
        }

        it('404 → service_unavailable naming the model', async () => {
          kit.serveError({ status: 404, message: `The model ${kit.model} does not exist` });
          await assert.rejects(
            collect(provider().stream(request())),
            isApiError('service_unavailable', 503, (e) => {
              assert.ok(e.message.includes(kit.model), e.message);
              for (const name of kit.notFoundNames) assert.match(e.message, name);
            }),
          );
        });

        it('400 → invalid_request with the upstream message, keys redacted', async () => {
          kit.serveError({ status: 400, message: `Unsupported parameter: 'temperature' is not supported with this model (key ${kit.apiKey}).`, param: 'temperature' });
          const model = kit.model.replace(/[.]/g, '\\.');
          await assert.rejects(
            collect(provider().stream(request({ sampling: { temperature: 0.2 } }))),
            isApiError('invalid_request', 400, (e) => {
              assert.match(
                e.message,
                new RegExp(
                  `^The model backend \\(127\\.0\\.0\\.1:\\d+, model ${model}\\) rejected the request with HTTP 400: Unsupported parameter: 'temperature' is not supported with this model \\(key \\[redacted\\]\\)\\.$`,
                ),
              );
              if (kit.errorParam) assert.equal(e.param, 'temperature');
            }),
          );
        });

        it('connection refused → service_unavailable naming the host', async () => {
          const srv = createServer();
          await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
          const { port } = srv.address() as AddressInfo;
          await new Promise<void>((r) => srv.close(() => r()));
          const p = kit.provider({ baseURL: kit.baseURLAt(`http://127.0.0.1:${port}`), model: 'm' });
          await assert.rejects(
            collect(p.stream(request())),
            isApiError('service_unavailable', 503, (e) => {
              assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
              assert.match(e.message, /ECONNREFUSED/);
            }),
          );
        });

        it('an error object inside the stream → service_unavailable after the text so far', async () => {
          kit.serveErrorMidStream(['Hi', ' there']);
          const seen: ProviderEvent[] = [];
          await assert.rejects(
            (async () => {
              for await (const e of provider().stream(request())) seen.push(e);
            })(),
            isApiError('service_unavailable', 503, (e) => {
              if (kit.midStreamErrorMessage) assert.match(e.message, kit.midStreamErrorMessage);
            }),
          );
          assert.deepEqual(seen, [
            { type: 'text-delta', delta: 'Hi' },
            { type: 'text-delta', delta: ' there' },
          ]);
        });

        it('a stream that ends before its finish → service_unavailable', async () => {
          kit.serveTruncated();
          await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503));
        });

        if (kit.serveFinishWithoutEnd) {
          const serve = kit.serveFinishWithoutEnd;
          it('a stream with its finish but without its end marker is accepted', async () => {
            serve();
            const events = await collect(provider().stream(request()));
            assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
          });
        }

        it('malformed JSON in the stream → service_unavailable, not an unhandled SyntaxError', async () => {
          kit.serveMalformed();
          await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503));
        });
      });

      describe('whole answers (a request that is not incremental)', () => {
        const answer = () => kit.serve({ text: ['Would ', 'buy.'], calls: [{ id: 'call_1', name: 'lookup', args: ['{"q":', '"price"}'] }] });
        const requestWithTool = () => request({ tools: [TOOL] });

        it('asks for one JSON reply when the request is not incremental, with the same answer as the stream', async () => {
          const base = requestWithTool();
          answer();
          const streamed = await collect(provider().stream(base));
          answer();
          const whole = await collect(provider().stream({ ...base, incremental: false }));
          const [first, second] = kit.requests.slice(-2);
          assert.equal(first!.body.stream, true);
          assert.notEqual(second!.body.stream, true, 'the whole answer is asked for without stream: true');
          assert.equal(second!.body.stream_options, undefined);
          const a = answerOf(streamed);
          assert.equal(a.text, 'Would buy.');
          assert.deepEqual(
            a.calls.map((c) => [c.name, c.args]),
            [['lookup', { q: 'price' }]],
          );
          assert.ok(a.usage && a.finish);
          assert.deepEqual(answerOf(whole), a);
          // One text delta for the whole text: the translator gets one event, not one per token.
          assert.equal(whole.filter((e) => e.type === 'text-delta').length, 1);
        });

        it("streaming: 'always' streams even when the request is not incremental", async () => {
          answer();
          const events = await collect(kit.provider({ streaming: 'always' }).stream({ ...requestWithTool(), incremental: false }));
          assert.equal(kit.requests.at(-1)!.body.stream, true);
          assert.equal(answerOf(events).text, 'Would buy.');
        });
      });

      describe('aborts', () => {
        it('aborting the request signal mid-stream closes the upstream connection', async () => {
          kit.serve({ text: ['first', ' second'], hang: true });
          const controller = new AbortController();
          const iterator = provider()
            .stream(request({ signal: controller.signal }))
            [Symbol.asyncIterator]();
          const first = await iterator.next();
          assert.deepEqual(first.value, { type: 'text-delta', delta: 'first' });
          const upstreamReq = await kit.waitForRequest(0);
          controller.abort();
          await assert.rejects(
            (async () => {
              for (;;) if ((await iterator.next()).done) break;
            })(),
            isAbort,
          );
          await upstreamReq.closed;
          assert.equal(upstreamReq.aborted, true);
        });

        it('aborting before the upstream answers closes the connection too', async () => {
          kit.serveHang();
          const controller = new AbortController();
          const done = collect(provider().stream(request({ signal: controller.signal })));
          const upstreamReq = await kit.waitForRequest(0);
          controller.abort();
          await assert.rejects(done, isAbort);
          await upstreamReq.closed;
          assert.equal(upstreamReq.aborted, true);
        });

        it('aborting a whole-answer request (not incremental) while the upstream works closes the connection', async () => {
          kit.serveHang();
          const controller = new AbortController();
          const done = collect(provider().stream(request({ signal: controller.signal, incremental: false })));
          const upstreamReq = await kit.waitForRequest(0);
          assert.notEqual(upstreamReq.body.stream, true);
          controller.abort();
          await assert.rejects(done, isAbort);
          await upstreamReq.closed;
          assert.equal(upstreamReq.aborted, true);
        });

        it('a consumer that stops iterating releases the upstream connection', async () => {
          kit.serve({ text: ['one', ' two'], hang: true });
          for await (const e of provider().stream(request())) {
            assert.equal(e.type, 'text-delta');
            break;
          }
          const upstreamReq = await kit.waitForRequest(0);
          await upstreamReq.closed;
          assert.equal(upstreamReq.aborted, true);
        });

        it('an already-aborted signal never reaches the upstream', async () => {
          const controller = new AbortController();
          controller.abort();
          await assert.rejects(collect(provider().stream(request({ signal: controller.signal }))), isAbort);
          assert.equal(kit.requests.length, 0);
        });
      });
    });
  }
});
