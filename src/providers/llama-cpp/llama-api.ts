/**
 * The parts of node-llama-cpp@3.21.1 this engine uses, typed structurally.
 *
 * node-llama-cpp is an optional dependency: the project must compile and run
 * without it, so nothing here imports from the package (not even types). The
 * module is loaded with a dynamic import in load-model.ts and checked against
 * these shapes by the tests, which run the real package.
 */

export type Token = number & { readonly __token?: never };

export type Tokenizer = (text: string, specialTokens?: boolean) => Token[];

export interface LlamaText {
  tokenize(tokenizer: Tokenizer): Token[];
}

/** A compiled grammar: its GBNF text and the options it was made with. */
export interface LlamaGrammar {
  readonly grammar: string;
  readonly stopGenerationTriggers: readonly unknown[];
  readonly trimWhitespaceSuffix: boolean;
}

export type GpuSetting = 'auto' | 'cuda' | 'vulkan' | 'metal' | false;

export interface GetLlamaOptions {
  gpu?: GpuSetting;
  build?: 'never';
  skipDownload?: boolean;
  progressLogs?: boolean;
  logLevel?: 'disabled' | 'fatal' | 'error' | 'warn' | 'info' | 'log' | 'debug';
  maxThreads?: number;
}

export interface Llama {
  readonly gpu: GpuSetting;
  readonly cpuMathCores: number;
  readonly disposed: boolean;
  loadModel(options: { modelPath: string; gpuLayers?: 'auto' | number }): Promise<LlamaModel>;
  createGrammarForJsonSchema(schema: Record<string, unknown>): Promise<LlamaGrammar>;
  getGrammarFor(type: 'json'): Promise<LlamaGrammar>;
  createGrammar(options: { grammar: string; stopGenerationTriggers?: readonly unknown[]; trimWhitespaceSuffix?: boolean }): Promise<LlamaGrammar>;
  dispose(): Promise<void>;
}

export interface LlamaModel {
  readonly tokenizer: Tokenizer;
  readonly disposed: boolean;
  dispose(): Promise<void>;
  readonly trainContextSize: number;
  readonly vocabularyType: string;
  /** GGUF metadata; `tokenizer.ggml.tokens` holds the vocabulary's token texts. */
  readonly fileInfo: { readonly metadata?: { readonly tokenizer?: { readonly ggml?: { readonly tokens?: readonly unknown[] } } } };
  getTokenAttributes(token: Token): { readonly byte: boolean };
  tokenize(text: string, specialTokens?: boolean): Token[];
  createContext(options: {
    contextSize?: number;
    sequences?: number;
    threads?: number;
  }): Promise<LlamaContext>;
  createEmbeddingContext(options?: { contextSize?: number; threads?: number }): Promise<LlamaEmbeddingContext>;
}

export interface LlamaEmbeddingContext {
  getEmbeddingFor(input: string): Promise<{ readonly vector: readonly number[] }>;
  dispose(): Promise<void>;
  readonly disposed: boolean;
}

export interface LlamaContext {
  readonly contextSize: number;
  readonly totalSequences: number;
  getSequence(): LlamaContextSequence;
}

export interface TokenMeterState {
  usedInputTokens: number;
  usedOutputTokens: number;
}

export interface LlamaContextSequence {
  readonly contextSize: number;
  readonly tokenMeter: { getState(): TokenMeterState };
}

export type ChatHistoryItem =
  | { type: 'system'; text: string }
  | { type: 'user'; text: string }
  | { type: 'model'; response: string[] };

export interface ChatModelFunctions {
  readonly [name: string]: { readonly description?: string; readonly params?: Record<string, unknown> };
}

export interface ChatWrapper {
  readonly wrapperName: string;
  generateContextState(options: {
    chatHistory: readonly ChatHistoryItem[];
    availableFunctions?: ChatModelFunctions;
    documentFunctionParams?: boolean;
  }): { contextText: LlamaText };
}

export type ResponseChunk =
  | { type: undefined; text: string; tokens: Token[] }
  | { type: 'segment'; segmentType: string; text: string; tokens: Token[] };

export interface FunctionCallParamsChunk {
  callIndex: number;
  functionName: string;
  paramsChunk: string;
  done: boolean;
}

export type StopReason = 'eogToken' | 'stopGenerationTrigger' | 'functionCalls' | 'maxTokens' | 'abort' | 'customStopTrigger';

export interface GenerateResponseOptions {
  onResponseChunk?: (chunk: ResponseChunk) => void;
  signal?: AbortSignal;
  stopOnAbortSignal?: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  repeatPenalty?: false | { penalty?: number; frequencyPenalty?: number; presencePenalty?: number };
  grammar?: LlamaGrammar;
  tokenBias?: TokenBias | (() => TokenBias);
  seed?: number;
  customStopTriggers?: readonly string[];
  functions?: ChatModelFunctions;
  documentFunctionParams?: boolean;
  maxParallelFunctionCalls?: number;
  onFunctionCallParamsChunk?: (chunk: FunctionCallParamsChunk) => void;
}

export interface GenerateResponseResult {
  response: string;
  functionCalls?: { functionName: string; params: unknown }[];
  metadata: { stopReason: StopReason };
}

export interface LlamaChat {
  readonly chatWrapper: ChatWrapper;
  readonly sequence: LlamaContextSequence;
  generateResponse(history: ChatHistoryItem[], options: GenerateResponseOptions): Promise<GenerateResponseResult>;
}

/** Per-token sampling bias; opaque to us once built. */
export interface TokenBias {
  set(input: Token | Token[], bias: 'never' | number): TokenBias;
}

/** What `import('node-llama-cpp')` gives. */
export interface LlamaModule {
  getLlama(options: GetLlamaOptions): Promise<Llama>;
  LlamaChat: new (options: { contextSequence: LlamaContextSequence }) => LlamaChat;
  TokenBias: new (tokenizer: Tokenizer) => TokenBias;
}
