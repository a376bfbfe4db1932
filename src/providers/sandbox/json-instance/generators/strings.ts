/**
 * A string the property name asks for: the persona's name, a sentence of its
 * answer for summary/reason-like names, a place from the message for
 * location-like ones, the stance for sentiment, a profile field, an id, a
 * date… and, for names it does not know, a short phrase from the message.
 */
import { capitalize, clipWords, slugify, stripTerminal, wordsOf } from '../../language.js';
import type { Rng } from '../../seed.js';
import type { Where } from '../core/context.js';
import { THING_SUFFIXES, type HintSource } from './hint-source.js';
import { ENTITY_KEYS, keyWords, PLACE_KEYS, singular, URL_KEYS } from './keys.js';
import { listPool } from './lists.js';
import { fieldContent, fieldKind } from './field-content.js';

export function hintString(source: HintSource, w: Where, rng: Rng): string {
  const h = source.hints;
  const persona = h.persona;
  const words = keyWords(w.key);
  const last = words[words.length - 1] ?? '';
  const all = words.join('_');
  const idx = w.index ?? 0;
  const has = (...xs: string[]) => words.some((x) => xs.includes(x));

  if (words.length === 0) return w.depth === 0 ? h.answer : source.nextSentence();

  // items of a list named for a profile field or for reasons/steps/tags
  if (w.index !== undefined) {
    const pool = listPool(source.hints, w.parent);
    if (pool?.length) return pool[idx % pool.length] as string;
  }

  if (all === 'username' || all === 'user_name' || all === 'handle' || last === 'handle') return slugify(source.personName(w), 24).replace(/-/g, '_');
  if (last === 'first' || all.endsWith('first_name') || all === 'firstname' || all === 'given_name') return source.plausibleName(w).split(' ')[0] ?? 'Alex';
  if (all.endsWith('last_name') || all === 'lastname' || all === 'surname' || all === 'family_name') return source.plausibleName(w).split(' ').slice(1).join(' ') || 'Morgan';
  if (['name', 'fullname', 'persona', 'author', 'respondent', 'speaker', 'customer', 'participant', 'who'].includes(last) || all === 'display_name') return source.personName(w);

  if (has('email')) return h.email ?? `${slugify(source.personName(w), 24).replace(/-/g, '.')}@example.com`;
  if (words.some((x) => URL_KEYS.has(x))) return h.url ?? `https://example.com/${slugify(h.topic || 'item')}`;
  if (has('phone', 'telephone', 'mobile', 'tel')) return '+1-555-0100';

  if (has('query', 'q', 'search', 'prompt', 'question', 'term', 'request', 'input', 'instruction', 'instructions', 'keywords') && !has('type', 'id')) return h.query || h.topic;

  if (['to', 'recipient', 'recipients', 'cc', 'bcc', 'sender'].includes(all)) {
    if (h.email) return h.email;
    if (all !== 'to') return source.personName(w);
  }
  if (words.some((x) => ENTITY_KEYS.has(x)) && !has('id', 'type', 'category')) {
    const entity = h.places[idx % Math.max(1, h.places.length)];
    if (entity) return entity;
  }
  if (h.time && has('time', 'hour', 'start', 'when') && !has('zone', 'timezone', 'stamp', 'timestamp')) return h.time;
  if (words.some((x) => PLACE_KEYS.has(x))) {
    if (has('country') && !h.places.length) return persona?.profile.demographics.country ?? 'United States';
    const place = h.places[idx % Math.max(1, h.places.length)];
    if (place) return place;
    if (persona) return stripTerminal(persona.profile.demographics.region.split(/[,;]/)[0] ?? 'New York');
    return rng.pick(['San Francisco', 'London', 'Berlin', 'Toronto']);
  }

  if (has('sentiment', 'tone', 'mood', 'feeling', 'emotion')) return h.stance === 'positive' ? 'positive' : h.stance === 'skeptical' ? 'negative' : 'mixed';
  if (has('verdict', 'decision', 'intent', 'stance')) {
    if (words.length === 1 || last === 'verdict' || last === 'decision' || last === 'intent' || last === 'stance') {
      const short = h.stance === 'positive' ? 'likely to buy' : h.stance === 'skeptical' ? 'unlikely to buy' : 'undecided';
      return last === 'verdict' ? source.nextSentence() : short;
    }
  }

  // a concern or a benefit: what the persona would raise, not the next sentence of its answer
  const field = fieldKind(words);
  if (field) return fieldContent(field, h, rng.fork(`field-${all}`), idx);

  if (['answer', 'response', 'reply', 'content', 'text', 'message', 'body', 'output', 'result', 'transcript'].includes(last)) return w.depth <= 1 && w.index === undefined ? h.answer : source.nextSentence(idx);
  if (
    [
      'summary', 'reason', 'reasoning', 'description', 'explanation', 'rationale', 'comment', 'comments', 'feedback', 'opinion',
      'reaction', 'recommendation', 'justification', 'thoughts', 'thought', 'details', 'detail', 'notes', 'note', 'quote',
      'statement', 'review', 'analysis', 'conclusion', 'takeaway', 'insight', 'advice', 'critique', 'evaluation',
      'assessment', 'remarks', 'motivation', 'why', 'bio', 'about', 'overview', 'narrative', 'story', 'argument',
      'perspective', 'impression', 'concern', 'objection', 'pro', 'con', 'benefit', 'risk', 'suggestion', 'tip', 'step',
      'action', 'point', 'finding', 'highlight', 'idea', 'context', 'background', 'caveat',
    ].includes(last)
  )
    return source.nextSentence(idx);

  if (['title', 'headline', 'subject', 'heading', 'caption', 'slogan', 'tagline', 'label'].includes(last)) {
    if (idx > 0 && h.keywords.length) return capitalize(h.keywords[(idx - 1) % h.keywords.length] as string);
    return capitalize(clipWords(h.topic || h.keywords.join(' ') || 'Overview', 70));
  }
  if (['topic', 'theme', 'keyword', 'tag', 'category', 'hashtag', 'interest', 'kind', 'type', 'genre', 'segment'].includes(last)) {
    if (persona && (last === 'segment' || last === 'category')) return persona.category;
    return h.keywords[idx % Math.max(1, h.keywords.length)] ?? h.topic ?? 'general';
  }

  if (persona) {
    const d = persona.profile.demographics;
    if (has('gender')) return d.gender ?? 'any';
    if (has('age', 'age_range')) return d.age_range;
    if (has('occupation', 'job', 'role', 'profession', 'work')) return d.occupation;
    if (has('generation', 'cohort')) return d.generation ?? persona.category;
    if (has('income')) return d.income_bracket;
    if (has('education')) return d.education;
    if (has('household')) return d.household;
    if (has('region')) return d.region;
    if (has('audience', 'demographic', 'persona')) return persona.description;
    if (has('value')) return persona.profile.psychographics.values[idx % persona.profile.psychographics.values.length] ?? 'authenticity';
    if (has('goal')) return persona.profile.goals[idx % persona.profile.goals.length] ?? 'save time';
    if (has('pain', 'frustration', 'challenge', 'problem')) return persona.profile.pains[idx % persona.profile.pains.length] ?? 'cost';
    if (has('platform', 'channel')) return persona.profile.media.platforms[idx % persona.profile.media.platforms.length] ?? 'YouTube';
  }

  if (has('id', 'identifier', 'uuid', 'key', 'ref', 'slug') && !has('keyword', 'keywords')) return `${slugify(singular(w.parent) ?? h.keywords[0] ?? 'item', 20).replace(/-/g, '_')}_${idx + 1}`;
  if (has('date', 'day', 'deadline', 'due', 'birthday', 'when', 'timestamp', 'time', 'start', 'end', 'created', 'updated')) {
    const d = new Date(Date.UTC(2025, 0, 1) + rng.int(0, 364) * 86_400_000).toISOString();
    return has('time', 'timestamp', 'created', 'updated') ? d.replace('.000Z', 'Z') : d.slice(0, 10);
  }
  if (has('language', 'lang', 'locale')) return 'en';
  if (has('currency')) return 'USD';
  if (has('unit', 'units')) return /fahrenheit|°f\b/i.test(h.message) ? 'fahrenheit' : /imperial/i.test(h.message) ? 'imperial' : 'celsius';
  if (has('color', 'colour')) return rng.pick(['blue', 'green', 'black', 'white', 'red']);
  if (has('symbol', 'ticker', 'code')) return wordsOf(h.message).find((x) => /^[A-Z]{2,5}$/.test(x.text) && x.text !== 'I')?.text ?? 'ABC';
  if (has('status', 'state')) return 'active';
  if (has('priority', 'level', 'severity', 'urgency')) return 'medium';
  if (has('version')) return '1.0.0';
  if (has('password', 'secret', 'token')) return rng.hex(24);
  if (has('price', 'cost', 'amount')) return '$19.99';
  if (has('brand', 'product', 'company', 'app', 'tool', 'service', 'plan', 'feature', 'option', 'item')) return `${capitalize(h.keywords[idx % Math.max(1, h.keywords.length)] ?? 'Sample')} ${THING_SUFFIXES[idx % THING_SUFFIXES.length]}`;

  // unknown names: a short phrase from the message, else the humanized key
  const kw = h.keywords[idx % Math.max(1, h.keywords.length)];
  return kw ?? (h.topic || capitalize(words.join(' ')));
}
