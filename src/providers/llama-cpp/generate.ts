/**
 * One generation on one context sequence: request → node-llama-cpp
 * `LlamaChat.generateResponse` call(s) → ProviderEvents, pushed through
 * `emit` as tokens arrive.
 *
 * Three modes, by tool_choice:
 * - text (no tools, tool_choice none, or tools present with a JSON response
 *   format — node-llama-cpp cannot combine a grammar with function calling,
 *   and the format is the guarantee the client asked for): plain generation,
 *   under the format's grammar when json_object/json_schema.
 * - forced call (required, a named function, allowed+required): the model
 *   writes the call's arguments under a grammar for the tool's parameters
 *   schema, streamed as tool-call deltas. With several candidate tools, a
 *   short first generation picks the name under an enum grammar. Exactly one
 *   call is made (parallel_tool_calls does not apply).
 * - auto (auto, allowed without required): node-llama-cpp's function calling.
 *   It works with any chat wrapper (wrappers without a native syntax use
 *   node-llama-cpp's generic `||call: name(params)` syntax, documented in the
 *   system prompt), but whether a model actually decides to call a function
 *   depends on it having been trained for that template; only forced calls
 *   are guaranteed. Called functions' params are grammar-constrained.
 *
 * Usage: inputTokens = tokens of the rendered prompt (the chat template
 * applied to the history, tokenized by the model's tokenizer; for a forced
 * call with several candidates, the prompt of the arguments step);
 * cachedTokens = the part of it already in the sequence's KV cache from the
 * previous request (not evaluated again); outputTokens = tokens the model
 * generated, from the sequence's token meter (all steps, function-call
 * syntax included); reasoningTokens = thought-segment tokens (not emitted).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { ApiError } from '../../errors/api-error.js';
import { offeredTools } from '../tool-choice.js';
import type { FunctionToolDef, ProviderEvent, ProviderRequest, SamplingOptions } from '../types.js';
import { callToolInstruction, chooseToolInstruction, convertPrompt } from './convert-prompt.js';
import { formatGrammar, schemaGrammar, toGrammarSchema } from './grammar.js';
import type { ChatHistoryItem, ChatModelFunctions, GenerateResponseOptions, LlamaChat, TokenMeterState } from './llama-api.js';
import type { LoadedModel } from './load-model.js';
import { mapFinishReason } from './map-finish-reason.js';
import { abortReason } from './queue.js';

/** Sampling defaults for unset values: llama.cpp server's (temperature 0.8, top-p 0.95). */
export const DEFAULT_TEMPERATURE = 0.8;
export const DEFAULT_TOP_P = 0.95;

export type Emit = (event: ProviderEvent) => void;

interface Counters {
  /** The sequence's token meter when the request started (output tokens are counted from here). */
  start: TokenMeterState;
  reasoning: number;
}

function startCounters(chat: LlamaChat): Counters {
  return { start: chat.sequence.tokenMeter.getState(), reasoning: 0 };
}

export async function generate(m: LoadedModel, chat: LlamaChat, req: ProviderRequest, signal: AbortSignal, emit: Emit): Promise<void> {
  const { tools, toolChoice: choice } = offeredTools(req);
  if (choice.mode === 'function') {
    const tool = tools.find((t) => t.name === choice.name);
    if (!tool) throw new ApiError('invalid_request', `tool_choice names the function ${JSON.stringify(choice.name)}, which is not in tools.`, { param: 'tool_choice' });
    return forcedCall(m, chat, req, [tool], signal, emit);
  }
  const forced = choice.mode === 'required';
  if (forced && tools.length > 0) return forcedCall(m, chat, req, tools, signal, emit);
  if (choice.mode === 'none' || tools.length === 0 || req.format.type !== 'text') return textGeneration(m, chat, req, signal, emit);
  return autoTools(m, chat, req, tools, signal, emit);
}

async function textGeneration(m: LoadedModel, chat: LlamaChat, req: ProviderRequest, signal: AbortSignal, emit: Emit): Promise<void> {
  const grammar = await formatGrammar(m, req.format);
  const history = convertPrompt(req);
  const inputTokens = promptTokens(m, chat, history);
  const limit = outputLimit(m, inputTokens, req.sampling.maxOutputTokens);
  const counters = startCounters(chat);
  const res = await chat.generateResponse(history, {
    ...sampling(m, req.sampling),
    ...(grammar ? { grammar } : {}),
    ...stopTriggers(req.sampling),
    maxTokens: limit,
    signal,
    stopOnAbortSignal: true,
    onResponseChunk: textChunkHandler(counters, emit),
  });
  if (signal.aborted) throw abortReason(signal);
  emitUsage(emit, chat, inputTokens, counters, counters.start);
  emit({ type: 'finish', reason: mapFinishReason(res.metadata.stopReason) });
}

async function autoTools(m: LoadedModel, chat: LlamaChat, req: ProviderRequest, tools: FunctionToolDef[], signal: AbortSignal, emit: Emit): Promise<void> {
  const functions: Record<string, { description?: string; params: Record<string, unknown> }> = {};
  for (const t of tools) {
    functions[t.name] = { params: toGrammarSchema(t.parameters), ...(t.description ? { description: t.description } : {}) };
  }
  const history = convertPrompt(req);
  const inputTokens = promptTokens(m, chat, history, functions);
  const limit = outputLimit(m, inputTokens, req.sampling.maxOutputTokens);
  const counters = startCounters(chat);

  const calls = new Map<number, { index: number; args: string; ended: boolean }>();
  const maxCalls = req.parallelToolCalls ? Infinity : 1;
  const startCall = (name: string): { index: number; args: string; ended: boolean } => {
    const call = { index: calls.size, args: '', ended: false };
    emit({ type: 'tool-call-start', index: call.index, callId: newCallId(), name });
    return call;
  };
  const endCall = (call: { index: number; args: string; ended: boolean }, fallbackArgs: string): void => {
    if (call.ended) return;
    call.ended = true;
    if (call.args === '') emit({ type: 'tool-call-delta', index: call.index, delta: fallbackArgs });
    emit({ type: 'tool-call-end', index: call.index });
  };

  const res = await chat.generateResponse(history, {
    ...sampling(m, req.sampling),
    functions,
    documentFunctionParams: true,
    ...stopTriggers(req.sampling),
    ...(req.parallelToolCalls ? {} : { maxParallelFunctionCalls: 1 }),
    maxTokens: limit,
    signal,
    stopOnAbortSignal: true,
    onResponseChunk: textChunkHandler(counters, emit),
    onFunctionCallParamsChunk: (chunk) => {
      let call = calls.get(chunk.callIndex);
      if (!call) {
        if (calls.size >= maxCalls) return;
        call = startCall(chunk.functionName);
        calls.set(chunk.callIndex, call);
      }
      if (chunk.paramsChunk !== '') {
        call.args += chunk.paramsChunk;
        emit({ type: 'tool-call-delta', index: call.index, delta: chunk.paramsChunk });
      }
      if (chunk.done) endCall(call, '{}');
    },
  });
  if (signal.aborted) throw abortReason(signal);

  // Calls the streaming callback did not report (e.g. functions without params).
  const made = (res.functionCalls ?? []).slice(0, maxCalls);
  made.forEach((fc, i) => {
    let call = calls.get(i);
    const args = JSON.stringify(fc.params ?? {});
    if (!call) {
      call = startCall(fc.functionName);
      calls.set(i, call);
    }
    endCall(call, args);
  });
  for (const call of calls.values()) endCall(call, '{}');

  emitUsage(emit, chat, inputTokens, counters, counters.start);
  emit({ type: 'finish', reason: mapFinishReason(res.metadata.stopReason, calls.size > 0) });
}

async function forcedCall(m: LoadedModel, chat: LlamaChat, req: ProviderRequest, candidates: FunctionToolDef[], signal: AbortSignal, emit: Emit): Promise<void> {
  const counters = startCounters(chat);
  const opts = sampling(m, req.sampling);
  let budget = req.sampling.maxOutputTokens ?? Infinity;

  let tool = candidates[0]!;
  if (candidates.length > 1) {
    const names = candidates.map((t) => t.name);
    const grammar = await schemaGrammar(m, { enum: names }, 'tools');
    const history = convertPrompt(req, chooseToolInstruction(candidates));
    const inputTokens = promptTokens(m, chat, history);
    const longest = Math.max(...names.map((n) => m.model.tokenize(JSON.stringify(n)).length));
    const limit = Math.min(outputLimit(m, inputTokens, undefined), longest + 4);
    let text = '';
    const res = await chat.generateResponse(history, {
      ...opts,
      grammar,
      maxTokens: limit,
      signal,
      stopOnAbortSignal: true,
      onResponseChunk: (chunk) => {
        if (chunk.type === undefined) text += chunk.text;
        else counters.reasoning += chunk.tokens.length;
      },
    });
    if (signal.aborted) throw abortReason(signal);
    budget -= generatedSince(chat, counters.start);
    const picked = parseName(res.response || text);
    tool = candidates.find((t) => t.name === picked) ?? tool;
  }

  const grammar = await schemaGrammar(m, tool.parameters, 'tools');
  const history = convertPrompt(req, callToolInstruction(candidates, tool.name));
  const inputTokens = promptTokens(m, chat, history);
  const stepStart = chat.sequence.tokenMeter.getState();
  let finish: 'length' | 'tool_calls' = 'length';
  emit({ type: 'tool-call-start', index: 0, callId: newCallId(), name: tool.name });
  if (budget > 0) {
    const res = await chat.generateResponse(history, {
      ...opts,
      grammar,
      maxTokens: outputLimit(m, inputTokens, budget),
      signal,
      stopOnAbortSignal: true,
      onResponseChunk: (chunk) => {
        if (chunk.type !== undefined) {
          counters.reasoning += chunk.tokens.length;
        } else if (chunk.text !== '') {
          emit({ type: 'tool-call-delta', index: 0, delta: chunk.text });
        }
      },
    });
    if (signal.aborted) throw abortReason(signal);
    finish = mapFinishReason(res.metadata.stopReason, true) === 'length' ? 'length' : 'tool_calls';
  }
  emit({ type: 'tool-call-end', index: 0 });
  emitUsage(emit, chat, inputTokens, counters, stepStart);
  emit({ type: 'finish', reason: finish });
}

function textChunkHandler(counters: Counters, emit: Emit): NonNullable<GenerateResponseOptions['onResponseChunk']> {
  return (chunk) => {
    if (chunk.type !== undefined) counters.reasoning += chunk.tokens.length;
    else if (chunk.text !== '') emit({ type: 'text-delta', delta: chunk.text });
  };
}

/**
 * @param promptStart the meter before the generation that evaluated the
 *   reported prompt: prompt tokens it did not evaluate were reused from cache.
 */
function emitUsage(emit: Emit, chat: LlamaChat, inputTokens: number, counters: Counters, promptStart: TokenMeterState): void {
  const now = chat.sequence.tokenMeter.getState();
  const cached = Math.max(0, inputTokens - (now.usedInputTokens - promptStart.usedInputTokens));
  emit({
    type: 'usage',
    inputTokens,
    outputTokens: now.usedOutputTokens - counters.start.usedOutputTokens,
    ...(cached > 0 ? { cachedTokens: cached } : {}),
    ...(counters.reasoning > 0 ? { reasoningTokens: counters.reasoning } : {}),
  });
}

function generatedSince(chat: LlamaChat, start: TokenMeterState): number {
  return chat.sequence.tokenMeter.getState().usedOutputTokens - start.usedOutputTokens;
}

/** Tokens of the prompt as the chat wrapper renders it for this history. */
function promptTokens(m: LoadedModel, chat: LlamaChat, history: ChatHistoryItem[], functions?: ChatModelFunctions): number {
  const state = chat.chatWrapper.generateContextState({
    chatHistory: history,
    ...(functions ? { availableFunctions: functions, documentFunctionParams: true } : {}),
  });
  return state.contextText.tokenize(m.model.tokenizer).length;
}

/**
 * The most tokens this generation may produce: the request's limit, capped by
 * the room left in the context window. A prompt that leaves no room is a 400
 * (rather than node-llama-cpp's silent context shift, which drops history).
 */
function outputLimit(m: LoadedModel, inputTokens: number, maxOutputTokens: number | undefined): number {
  const room = m.contextSize - inputTokens;
  if (room < 1) {
    throw new ApiError('invalid_request', `The input is ${inputTokens} tokens, which leaves no room in the local model's context window of ${m.contextSize} tokens.`, { param: 'input' });
  }
  // node-llama-cpp reads maxTokens 0 as "no limit".
  return Math.max(1, Math.min(room, maxOutputTokens ?? Infinity));
}

type SamplingPick = Pick<GenerateResponseOptions, 'temperature' | 'topP' | 'repeatPenalty' | 'tokenBias' | 'seed'>;

function sampling(m: LoadedModel, s: SamplingOptions): SamplingPick {
  const out: SamplingPick = {
    temperature: s.temperature ?? DEFAULT_TEMPERATURE,
    topP: s.topP ?? DEFAULT_TOP_P,
    repeatPenalty: false,
    ...(m.tokenBias ? { tokenBias: m.tokenBias } : {}),
    seed: samplingSeed(s.seed),
  };
  if (s.frequencyPenalty || s.presencePenalty) {
    out.repeatPenalty = { penalty: 1, frequencyPenalty: s.frequencyPenalty ?? 0, presencePenalty: s.presencePenalty ?? 0 };
  }
  return out;
}

/** llama.cpp's seeds are 0 … 2³²−2 (2³²−1 means "random"). */
const SEED_RANGE = 0xffffffff;

/**
 * The sampler's seed: the client's, folded into llama.cpp's range (so -1 and
 * 2³² are seeds of their own, not 0 or "random"), else a random one.
 * Unseeded, node-llama-cpp would seed with the current second, and identical
 * requests within a second would sample identical text.
 */
export function samplingSeed(seed: number | undefined): number {
  if (seed === undefined) return randomInt(0, SEED_RANGE);
  return ((seed % SEED_RANGE) + SEED_RANGE) % SEED_RANGE;
}

/** Stop sequences end the text where they occur (the run's filter cuts the text either way). */
function stopTriggers(s: SamplingOptions): Pick<GenerateResponseOptions, 'customStopTriggers'> {
  return s.stop?.length ? { customStopTriggers: s.stop } : {};
}

function parseName(text: string): string | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function newCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}
