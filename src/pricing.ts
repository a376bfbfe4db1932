/**
 * The one pricing function. Credits follow the brief's table:
 *
 * | operation                          | credits            |
 * |------------------------------------|--------------------|
 * | standard response (also streaming) | 1–3                |
 * | response with function tool calls  | 2–4                |
 * | response with image input          | 3–5                |
 * | response with analysis mode        | 3–5                |
 * | each built-in server tool turn     | 2–4 per turn       |
 *
 * Within each range the step is the size tier of the response: total tokens
 * ≤ 1,000 → +0, ≤ 4,000 → +1, more → +2; `reasoning_effort: "high"` adds one
 * tier (capped at +2). The highest applicable base applies (an analysed
 * response with an image costs 3–5, not 6–10); server tool turns add on top.
 *
 * The brief's table has no row for an embeddings call (focus groups' SSR
 * elicitation): one is priced as a standard response of its input tokens,
 * `embedding` (1) plus the size tier of those tokens — 1–3.
 */
export interface PricingInput {
  totalTokens: number;
  reasoningEffort?: 'low' | 'medium' | 'high' | undefined;
  calledFunctions: boolean;
  imageInput: boolean;
  analysis: boolean;
  serverToolTurns: number;
}

export interface PricingTable {
  standard: number;
  functionCalls: number;
  imageInput: number;
  analysis: number;
  serverToolTurn: number;
  /** Base of an embeddings call, sized by its input tokens. */
  embedding: number;
  /** Upper token bounds of tiers 0 and 1. */
  tierBounds: [number, number];
}

export const DEFAULT_PRICING: PricingTable = {
  standard: 1,
  functionCalls: 2,
  imageInput: 3,
  analysis: 3,
  serverToolTurn: 2,
  embedding: 1,
  tierBounds: [1000, 4000],
};

export function sizeTier(input: Pick<PricingInput, 'totalTokens' | 'reasoningEffort'>, table: PricingTable = DEFAULT_PRICING): number {
  const [t0, t1] = table.tierBounds;
  let tier = input.totalTokens <= t0 ? 0 : input.totalTokens <= t1 ? 1 : 2;
  if (input.reasoningEffort === 'high') tier += 1;
  return Math.min(tier, 2);
}

export function creditsFor(input: PricingInput, table: PricingTable = DEFAULT_PRICING): number {
  const tier = sizeTier(input, table);
  let base = table.standard;
  if (input.calledFunctions) base = Math.max(base, table.functionCalls);
  if (input.imageInput) base = Math.max(base, table.imageInput);
  if (input.analysis) base = Math.max(base, table.analysis);
  return base + tier + input.serverToolTurns * (table.serverToolTurn + tier);
}

/** An embeddings call: `embedding` plus the size tier of its input tokens. */
export function embeddingCredits(inputTokens: number, table: PricingTable = DEFAULT_PRICING): number {
  return table.embedding + sizeTier({ totalTokens: inputTokens }, table);
}
