/**
 * What OpenAI's models take, by name (nothing else is known about a model
 * behind a URL): shared by the Chat Completions and Responses backends.
 */

function bareModelName(model: string): string {
  // "openai/o3-mini" (OpenRouter, LiteLLM) → "o3-mini"
  const slash = model.lastIndexOf('/');
  return (slash >= 0 ? model.slice(slash + 1) : model).toLowerCase();
}

export function isGpt5Family(model: string): boolean {
  const name = bareModelName(model);
  return /^gpt-5(?:[.-]|$)/.test(name) && !/-chat(?:-|$)/.test(name);
}

/** o1/o3/o4 (and later o-series) and gpt-5 models, excluding gpt-5-chat; by name, since nothing else is known. */
export function isReasoningModel(model: string): boolean {
  const name = bareModelName(model);
  return /^o[1-9]\d*(?:-|$)/.test(name) || isGpt5Family(name);
}
