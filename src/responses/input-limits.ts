/**
 * The size of a create request, checked before the work it would cost (see
 * limits/request-limits.ts). `checkRequestSize` counts what the client sent
 * — items, parts, tools, images, characters — before the persona is read or
 * a schema compiled. `checkPromptTokens` bounds the whole prompt once the
 * previous conversation is loaded and before any image is downloaded: it
 * tokenizes only when the UTF-8 size could be over the limit (a token is at
 * least one byte), so small prompts never load the tokenizer. Each refusal is
 * 422 naming the parameter where the limit was crossed.
 */
import { ApiError } from '../errors/api-error.js';
import type { RequestLimits } from '../limits/request-limits.js';
import type { ConversationItem } from '../providers/types.js';
import type { ContentPartInput, CreateResponseRequest } from '../schemas/create-response.js';
import { countTokens } from '../util/tokens.js';
import { itemText } from './conversation.js';

/** Per-message framing tokens, as the usage estimates count them. */
const MESSAGE_OVERHEAD = 4;

export function checkRequestSize(req: CreateResponseRequest, limits: RequestLimits): void {
  if (req.tools && req.tools.length > limits.tools) {
    throw new ApiError('validation_error', `At most ${limits.tools} tools per request, got ${req.tools.length}.`, { param: 'tools' });
  }
  let chars = 0;
  const text = (s: string, param: string) => {
    chars += s.length;
    if (chars > limits.inputChars) {
      throw new ApiError('validation_error', `The request's text (instructions and input together) is over ${limits.inputChars.toLocaleString('en-US')} characters.`, { param });
    }
  };
  let images = 0;
  const parts = (content: string | ContentPartInput[], param: string) => {
    if (typeof content === 'string') return text(content, param);
    if (content.length > limits.contentParts) {
      throw new ApiError('validation_error', `At most ${limits.contentParts} content parts per item, got ${content.length}.`, { param });
    }
    content.forEach((p, j) => {
      if (p.type === 'input_text' || p.type === 'output_text') text(p.text, `${param}[${j}].text`);
      else if (p.type === 'refusal') text(p.refusal, `${param}[${j}].refusal`);
      else if ((p.type === 'input_image' || (p.type === 'input_file' && p.file_url !== undefined)) && ++images > limits.images) {
        throw new ApiError('validation_error', `At most ${limits.images} images and file URLs per request.`, { param: `${param}[${j}]` });
      }
    });
  };

  if (req.instructions !== undefined) text(req.instructions, 'instructions');
  if (typeof req.input === 'string') return text(req.input, 'input');
  if (req.input.length > limits.inputItems) {
    throw new ApiError('validation_error', `At most ${limits.inputItems} input items per request, got ${req.input.length}.`, { param: 'input' });
  }
  req.input.forEach((item, i) => {
    switch (item.type) {
      case 'message':
        return parts(item.content, `input[${i}].content`);
      case 'function_call':
        text(item.name, `input[${i}].name`);
        return text(item.arguments, `input[${i}].arguments`);
      case 'function_call_output':
        return parts(item.output, `input[${i}].output`);
      default:
        return;
    }
  });
}

/**
 * The prompt's tokens (system prompt and every item) against the limit, and
 * its images (the previous conversation's are loaded again). `historyLength`
 * items come from previous_response_id: when they alone are over, that is
 * the parameter named.
 */
export function checkPromptTokens(system: string | undefined, items: ConversationItem[], historyLength: number, limits: RequestLimits): void {
  let images = 0;
  for (const it of items) if (it.type === 'message') for (const p of it.content) if (p.type === 'image' || (p.type === 'file' && p.url !== undefined)) images++;
  if (images > limits.images) {
    throw new ApiError('validation_error', `At most ${limits.images} images and file URLs per request, the previous conversation's included.`, { param: 'previous_response_id' });
  }
  const texts = [system ?? '', ...items.map(itemText)];
  const overhead = MESSAGE_OVERHEAD * (items.length + (system ? 1 : 0));
  let bytes = overhead;
  for (const t of texts) bytes += Buffer.byteLength(t);
  if (bytes <= limits.inputTokens) return;
  let tokens = overhead;
  texts.forEach((t, k) => {
    tokens += countTokens(t);
    if (tokens > limits.inputTokens) {
      const inHistory = k >= 1 && k - 1 < historyLength;
      throw new ApiError(
        'validation_error',
        `The prompt is over ${limits.inputTokens.toLocaleString('en-US')} tokens (persona prompt, instructions, the previous conversation and the input together).`,
        { param: inHistory ? 'previous_response_id' : k === 0 ? 'instructions' : 'input' },
      );
    }
  });
}
