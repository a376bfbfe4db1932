/**
 * A ResponseRun drives one provider stream through the translator. It fans
 * the events out to subscribers (the SSE writer, the Chat Completions adapter)
 * and, for background runs, keeps them so a stream can be resumed while it
 * runs. Runs in progress live in a RunRegistry so GET, cancel and stream
 * replay see them.
 */
import { ApiError, NO_CLIENT_RETRY, toApiError } from '../errors/api-error.js';
import type { Provider, ProviderEvent, ProviderRequest, ToolChoice } from '../providers/types.js';
import { validateAgainst } from '../util/json-schema.js';
import { StopSequences } from '../providers/stop-sequences.js';
import type { ServerToolExecutor } from '../server-tools/types.js';
import type { Annotation, ResponseTranslator } from './translator.js';
import type { ResponseObject, StreamEvent } from './types.js';

/** Receives each event in order; `null` once the run has ended. */
export type EventListener = (event: StreamEvent | null) => void;

/** Undefined to let the run go on; a promise to make it wait (backpressure). */
export type Gate = () => Promise<void> | undefined;

export class ResponseRun {
  /** Every event so far (background runs only). */
  readonly events: StreamEvent[] = [];
  private readonly listeners = new Set<EventListener>();
  /** Readers that may ask the run to wait before it pulls the next event (see `throttle`). */
  private readonly gates = new Set<Gate>();
  readonly controller = new AbortController();
  readonly done: Promise<ResponseObject>;
  private resolveDone!: (r: ResponseObject) => void;
  cancelRequested = false;
  /** Why the run failed, with its status and headers (e.g. retry-after), for non-streaming callers. */
  failure: ApiError | undefined;
  /** The backend that served, when the provider said (the router's `engine` event). */
  engine: string | undefined;
  /** The text ended at one of the request's stop sequences (stop-sequences.ts). */
  private stoppedAtSequence = false;
  /** The model stopped at the token limit (or a filter): the response is incomplete, its JSON may be unfinished. */
  private cutShort = false;

  constructor(
    readonly translator: ResponseTranslator,
    /** Keep every event (background runs); foreground runs only fan out. */
    private readonly keepEvents: boolean,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    // Listeners of a foreground run turn each event into bytes as it is emitted, and
    // nothing keeps the events: the translator need not copy its snapshots.
    if (!keepEvents) translator.quiet = true;
  }

  get response(): ResponseObject {
    return this.translator.response;
  }

  get finished(): boolean {
    return this.translator.isEnded;
  }

  /** Kept events after sequence number `after`, then live ones; `listener(null)` ends. */
  subscribe(listener: EventListener, after = -1): () => void {
    for (let i = after + 1; i < this.events.length; i++) listener(this.events[i]!);
    if (this.finished) {
      listener(null);
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Lets a reader hold the run back: before pulling each next event from the
   * provider, the run waits for every promise the gates return (a slow SSE
   * client: SseSink.ready), so the upstream is paused instead of buffered.
   * An abort ends the wait.
   */
  throttle(gate: Gate): () => void {
    this.gates.add(gate);
    return () => this.gates.delete(gate);
  }

  private pressure(): Promise<unknown> | undefined {
    let waits: Promise<void>[] | undefined;
    for (const gate of this.gates) {
      const w = gate();
      if (w) (waits ??= []).push(w);
    }
    return waits && Promise.all(waits);
  }

  /** `events`, pulled only when no reader holds the run back. */
  private async *paced<T>(events: AsyncIterable<T>, aborted: Promise<void>): AsyncGenerator<T> {
    for await (const event of events) {
      yield event;
      const wait = this.pressure();
      if (wait) await Promise.race([wait, aborted]);
    }
  }

  /** Hands events to the listeners, who must serialize them now: a foreground run's events are not copies (see ResponseTranslator.quiet). */
  emit(events: StreamEvent[]): void {
    if (this.keepEvents) this.events.push(...events);
    for (const e of events) for (const l of this.listeners) l(e);
  }

  end(): void {
    for (const l of this.listeners) l(null);
    this.listeners.clear();
    this.resolveDone(this.response);
  }

  abort(reason: 'cancelled' | 'client_disconnected'): void {
    if (reason === 'cancelled') this.cancelRequested = true;
    this.controller.abort(new Error(reason));
  }

  /**
   * Runs the provider to the end. Never throws: failures become a failed
   * response (the combined error event, then response.failed).
   */
  async execute(provider: Provider, request: Omit<ProviderRequest, 'signal'>, hooks: RunHooks = {}): Promise<ResponseObject> {
    const t = this.translator;
    const signal = this.controller.signal;
    this.emit(t.start());
    try {
      await this.generate(provider, request, hooks, signal);
      if (signal.aborted) throw signal.reason;
      // Text cut at a stop sequence or the token limit is what the client asked for, even if that leaves the JSON unfinished.
      const problem = this.stoppedAtSequence || this.cutShort ? null : checkStructuredOutput(request, t.outputText, t.response.output.some((o) => o.type === 'function_call'));
      if (problem) this.emit(t.fail((this.failure = problem)));
      else {
        // Analysis (and anything else computed from the finished answer) lands in the terminal event's response.
        if (hooks.afterOutput) {
          const annotation = await hooks.afterOutput(t.response, signal);
          if (signal.aborted) throw signal.reason;
          if (annotation) this.emit(t.push(annotation));
        }
        if (signal.aborted) throw signal.reason;
        this.emit(t.complete());
      }
    } catch (err) {
      if (this.cancelRequested) this.emit(t.cancel());
      else {
        // A client that walked away pays for what was generated; a failure of the backend or the server costs nothing.
        const abandoned = signal.aborted;
        this.failure = abandoned ? new ApiError('invalid_request', 'The client closed the connection before the response finished.') : toApiError(err);
        this.emit(t.fail(this.failure, { charge: abandoned }));
      }
    }
    this.end();
    return this.response;
  }

  /**
   * The model ↔ server-tool loop. Calls of server tools never reach the
   * translator (clients see no function_call for them); the run executes
   * them, appends call and result to the conversation and asks the model
   * again, at most `maxTurns` times. Usage is summed over the turns.
   */
  private async generate(provider: Provider, request: Omit<ProviderRequest, 'signal'>, hooks: RunHooks, signal: AbortSignal): Promise<void> {
    const t = this.translator;
    const tools = hooks.serverTools;
    const usage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0, seen: false };
    let items = request.items;
    let offered = request.tools;
    let toolChoice = request.toolChoice;
    let finalTurn = false;
    let finish: ProviderEvent | undefined;
    const stop = request.sampling.stop?.length ? new StopSequences(request.sampling.stop) : undefined;
    const aborted = new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    for (let turn = 0; ; turn++) {
      const pending = new Map<number, { callId: string; name: string; arguments: string }>();
      let clientCalls = 0;
      const events = provider.stream({ ...request, tools: offered, toolChoice, items, signal });
      for await (const event of this.paced(stop ? stop.filter(events) : events, aborted)) {
        if (signal.aborted) return;
        if (event.type === 'engine') {
          this.engine = event.name;
          continue;
        }
        if (event.type === 'usage') {
          usage.inputTokens += event.inputTokens;
          usage.outputTokens += event.outputTokens;
          usage.cachedTokens += event.cachedTokens ?? 0;
          usage.reasoningTokens += event.reasoningTokens ?? 0;
          usage.seen = true;
          continue;
        }
        if (event.type === 'finish') {
          finish = event;
          continue;
        }
        if (tools && event.type === 'tool-call-start' && tools.handles(event.name)) {
          pending.set(event.index, { callId: event.callId, name: event.name, arguments: '' });
          continue;
        }
        if (tools && (event.type === 'tool-call-delta' || event.type === 'tool-call-end') && pending.has(event.index)) {
          if (event.type === 'tool-call-delta') pending.get(event.index)!.arguments += event.delta;
          continue;
        }
        // Client tool calls keep distinct indexes across turns.
        if (event.type === 'tool-call-start' || event.type === 'tool-call-delta' || event.type === 'tool-call-end') {
          if (event.type === 'tool-call-start') clientCalls++;
          this.emit(t.push({ ...event, index: event.index + turn * 1000 }));
          continue;
        }
        this.emit(t.push(event));
      }
      if (signal.aborted) return;
      // Text that ended at a stop sequence ends the response: no further turn.
      if (!tools || pending.size === 0 || stop?.stopped) break;
      if (finalTurn) throw new ApiError('internal_error', `The model kept calling server tools after ${tools.maxTurns} turns; stopped.`);
      const calls = [...pending.values()];
      let results: string[];
      try {
        results = await Promise.all(calls.map((call) => tools.execute(call, signal, turn)));
      } finally {
        // The calls recorded so far reach the response as an event of the run, like its output.
        this.emit(t.push({ type: 'server-tool-calls', calls: [...tools.calls] }));
      }
      // The client must answer its own function calls first: the server tools of this turn ran
      // (and are listed in server_tool_calls), and the response ends here with the client's calls.
      if (clientCalls > 0) break;
      // A forced tool_choice asks for a call in this response, and one was made: the next turns may answer.
      toolChoice = relaxed(toolChoice);
      items = [
        ...items,
        ...calls.map((c) => ({ type: 'function_call' as const, callId: c.callId, name: c.name, arguments: c.arguments })),
        ...calls.map((c, i) => ({ type: 'function_call_output' as const, callId: c.callId, output: results[i]! })),
      ];
      // Out of tool turns: ask once more without the server tools, so the model answers with what it has.
      if (turn + 2 >= tools.maxTurns) {
        finalTurn = true;
        offered = request.tools.filter((d) => !tools.handles(d.name));
      }
    }
    if (stop) {
      this.stoppedAtSequence = stop.stopped;
      for (const e of stop.flush()) this.emit(t.push(e));
    }
    if (usage.seen) {
      this.emit(t.push({ type: 'usage', inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, cachedTokens: usage.cachedTokens, reasoningTokens: usage.reasoningTokens }));
    }
    if (finish) {
      this.cutShort = finish.type === 'finish' && (finish.reason === 'length' || finish.reason === 'content_filter');
      this.emit(t.push(finish));
    }
  }
}

/** Optional stages of a run, supplied by the features that need them. */
export interface RunHooks {
  /** Built-in tools the server executes itself. */
  serverTools?: ServerToolExecutor;
  /** Runs on the finished output before the terminal event (e.g. analysis mode); what it returns is added to the response. */
  afterOutput?: (response: Readonly<ResponseObject>, signal: AbortSignal) => Promise<Annotation | undefined>;
}

/** A tool choice once a call was made: required → auto; allowed+required → allowed. */
function relaxed(choice: ToolChoice): ToolChoice {
  if (choice.mode === 'required' || choice.mode === 'function') return { mode: 'auto' };
  if (choice.mode === 'allowed' && choice.required) return { ...choice, required: false };
  return choice;
}

/** With json_schema the output must validate; with json_object it must parse. */
function checkStructuredOutput(request: Omit<ProviderRequest, 'signal'>, text: string, calledFunctions: boolean): ApiError | null {
  const f = request.format;
  if (f.type === 'text' || calledFunctions) return null;
  // The model's answer, not the server, is at fault: 502 model_output_invalid, never a 500.
  const invalid = (message: string, param: string) => new ApiError('model_output_invalid', message, { param, headers: NO_CLIENT_RETRY });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid(`The model's output is not valid JSON, as text.format '${f.type}' requires.`, 'text.format');
  }
  if (f.type === 'json_object') {
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? null : invalid("The model's output is not a JSON object.", 'text.format');
  }
  const check = validateAgainst(f.schema, value);
  return check.valid ? null : invalid(`The model's output does not match the JSON schema '${f.name}': ${check.errors.slice(0, 3).join('; ')}`, 'text.format.schema');
}

export interface RunEntry {
  run: ResponseRun;
  workspaceId: string;
  /** Settles once the finished response is stored (or storing failed). */
  persisted: Promise<void>;
}

/** Runs in progress in this process, by response id. */
export class RunRegistry {
  private readonly runs = new Map<string, RunEntry>();

  add(id: string, entry: RunEntry): void {
    this.runs.set(id, entry);
  }

  get(id: string): RunEntry | undefined {
    return this.runs.get(id);
  }

  delete(id: string, run: ResponseRun): void {
    if (this.runs.get(id)?.run === run) this.runs.delete(id);
  }

  get size(): number {
    return this.runs.size;
  }

  /** Aborts every run (shutdown deadline passed) and waits until each is stored. */
  async abortAll(): Promise<void> {
    const all = [...this.runs.values()];
    for (const e of all) e.run.abort('client_disconnected');
    await Promise.all(all.map((e) => e.persisted.catch(() => {})));
  }

  /** Resolves when no run is in progress, or after `ms`. */
  async drain(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.runs.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    return this.runs.size === 0;
  }
}
