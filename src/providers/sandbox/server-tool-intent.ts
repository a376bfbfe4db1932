/**
 * Which built-in server tool (src/server-tools/) a message asks for, by what
 * it wants done rather than by the tool's name: "draw an image of…" →
 * generateImage, an image plus "change…" → editImage, "a video of…" →
 * generateVideo (imageToVideo when an image is attached and offered), a URL
 * to read → tavily_extract, "search / latest / news" → tavily_search. And
 * the arguments a person would pass: the prompt in the message's own words,
 * the attached image, the URL, the search query.
 */
import { extractQuery, extractUrl } from '../../text/extract.js';
import { stripTerminal } from '../../text/words.js';
import type { FunctionToolDef } from '../types.js';
import type { ConversationView } from './conversation.js';

const MAKE = /\b(?:make|draw|create|generate|design|paint|sketch|render|produce|illustrate|give me|show me|can i (?:get|have)|i (?:want|need|'d like))\b/i;
const IMAGE = /\b(?:image|picture|pic|drawing|illustration|logo|poster|photo|icon|artwork|art|sketch|painting|render(?:ing)?|wallpaper|banner|thumbnail|meme)s?\b/i;
const VIDEO = /\b(?:video|clip|animation|footage|film|movie|reel)s?\b|\banimate\b/i;
const EDIT = /\b(?:edit|change|modify|make it|make the|turn (?:it|this|the)|remove|add|replace|recolou?r|retouch|crop|adjust|brighten|darken|put|swap|erase|fix|enhance|convert)\b/i;
const READ = /\b(?:read|summari[sz]e|extract|what does|what's on|whats on|open|look at|check|go through|tl;?dr|key points|according to)\b/i;
const SEARCH = /\b(?:search|look up|lookup|google|latest|news|recent(?:ly)?|current(?:ly)?|today|this (?:week|month|year)|up[- ]to[- ]date|find out|what's new|whats new|headlines|right now)\b/i;

export interface Intent {
  tool: FunctionToolDef;
  /** JSON arguments for it. */
  arguments: Record<string, unknown>;
}

/** "Draw an image of a red fox in the snow, please" → "a red fox in the snow". */
function promptOf(message: string, noun: RegExp): string {
  const t = stripTerminal(message.replace(/\s+/g, ' ').trim());
  const m = new RegExp(`${noun.source}\\s+(?:of|showing|with|that shows|where|for)\\s+(.+)$`, 'i').exec(t);
  const cut = (m?.[1] ?? t).replace(/,?\s*(?:please|thanks|thank you)$/i, '').trim();
  return (cut.length >= 3 ? cut : t).slice(0, 1000);
}

/** The server tool the last user message asks for, among those offered, with its arguments; undefined when none fits. */
export function serverToolIntent(tools: readonly FunctionToolDef[], view: ConversationView): Intent | undefined {
  const message = view.lastUserText;
  if (!message.trim()) return undefined;
  const offered = (name: string) => tools.find((t) => t.name === name);
  const image = view.imageUrl;
  const url = extractUrl(message);
  if (VIDEO.test(message) && (MAKE.test(message) || /\b(?:a|an|the)\s+(?:short\s+)?(?:video|clip|animation)\s+of\b|\banimate\b/i.test(message))) {
    const fromImage = image ? offered('imageToVideo') : undefined;
    if (fromImage && image) return { tool: fromImage, arguments: { image_url: image, prompt: promptOf(message, VIDEO) } };
    const video = offered('generateVideo');
    if (video) return { tool: video, arguments: { prompt: promptOf(message, VIDEO) } };
  }
  if (image && EDIT.test(message)) {
    const edit = offered('editImage');
    if (edit) return { tool: edit, arguments: { image_url: image, prompt: stripTerminal(message).slice(0, 4000) } };
  }
  if ((MAKE.test(message) && IMAGE.test(message)) || /^\s*(?:please\s+)?(?:draw|paint|sketch|illustrate)\b/i.test(message)) {
    const gen = offered('generateImage');
    if (gen) return { tool: gen, arguments: { prompt: promptOf(message, IMAGE) } };
  }
  if (url && !SEARCH.test(message.replace(url, '')) || (url && READ.test(message))) {
    const extract = offered('tavily_extract');
    if (extract) return { tool: extract, arguments: { urls: [url] } };
  }
  if (SEARCH.test(message)) {
    const search = offered('tavily_search');
    if (search) return { tool: search, arguments: { query: extractQuery(message).slice(0, 400) } };
  }
  return undefined;
}
