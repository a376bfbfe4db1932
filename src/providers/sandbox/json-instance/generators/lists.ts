import type { InstanceHints } from '../hints.js';
import { keyWords } from './keys.js';

/** Profile lists that suit an array by its property name ("concerns" → objections, …). */
export function listPool(hints: InstanceHints, key: string | undefined): string[] | undefined {
  const words = keyWords(key);
  if (words.length === 0) return undefined;
  const last = words[words.length - 1] ?? '';
  const all = words.join('_');
  const p = hints.persona?.profile;
  if (p) {
    if (/^(?:objection|question|concern|worry|doubt|hesitation)s?$/.test(last)) return p.objections;
    if (/^(?:pain|pain_point|frustration|challenge|problem|struggle|pain_points)s?$/.test(last) || all.endsWith('pain_points')) return p.pains;
    if (/^(?:con|risk|drawback|weakness|dislike|negative|downside|barrier|blocker|deal_breaker|dealbreaker|red_flag|flag)s?$/.test(last) || all.endsWith('deal_breakers') || all.endsWith('red_flags'))
      return p.buying_behavior.deal_breakers;
    if (/^(?:pro|benefit|strength|like|positive|upside|advantage|motivator|trigger|driver|opportunit(?:y|ie))s?$/.test(last)) return p.buying_behavior.purchase_triggers;
    if (/^values?$/.test(last)) return p.psychographics.values;
    if (/^goals?$/.test(last)) return p.goals;
    if (/^(?:interest|hobby|hobbie)s?$/.test(last)) return p.psychographics.interests;
    if (/^(?:platform|channel|network)s?$/.test(last)) return p.media.platforms;
    if (/^(?:source|trusted_source)s?$/.test(last)) return p.media.trusted_sources;
    if (/^(?:phrase|quote|saying|expression)s?$/.test(last)) return p.communication.phrases;
    if (/^(?:attitude|belief|opinion)s?$/.test(last)) return p.psychographics.attitudes;
  }
  if (/^(?:tag|keyword|topic|theme|hashtag|term|label)s?$/.test(last)) return hints.keywords.length ? hints.keywords : undefined;
  if (/^(?:reason|point|takeaway|insight|step|recommendation|suggestion|idea|tip|finding|highlight|note|argument|bullet|sentence)s?$/.test(last)) return hints.sentences;
  return undefined;
}
