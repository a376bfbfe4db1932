/**
 * The semantic key tables: which property names mean a number, a count, a
 * place, an entity, a URL, a thing (rather than a person), and which enum
 * members mean which stance. A name is read as its words (`purchaseIntent` →
 * purchase, intent).
 */
import { identifierWords } from '../../language.js';
import type { Stance } from '../../persona-voice.js';

export const NUMBER_KEYS = new Set(['count', 'number', 'num', 'quantity', 'qty', 'amount', 'price', 'cost', 'total', 'age', 'score', 'rating', 'year', 'limit', 'size', 'confidence', 'probability', 'percent', 'percentage']);
export const COUNT_KEYS = new Set(['count', 'quantity', 'qty', 'limit', 'num', 'number', 'n', 'k', 'top', 'max', 'results', 'size', 'days', 'nights', 'guests', 'people', 'adults', 'children', 'seats', 'tickets', 'items', 'hours', 'minutes', 'page', 'per']);
export const PLACE_KEYS = new Set(['location', 'city', 'place', 'destination', 'origin', 'address', 'town', 'country', 'venue', 'where', 'area', 'locality', 'region', 'from', 'to', 'near']);
export const ENTITY_KEYS = new Set(['restaurant', 'hotel', 'venue', 'store', 'shop', 'company', 'brand', 'business', 'airline', 'airport', 'organization', 'organisation', 'org', 'school', 'university', 'team', 'vendor', 'merchant', 'employer', 'bank', 'clinic', 'hospital', 'cafe', 'bar']);
export const URL_KEYS = new Set(['url', 'link', 'website', 'homepage', 'href', 'uri', 'image', 'avatar', 'photo', 'site']);
export const THING_PARENTS = new Set(['product', 'item', 'feature', 'plan', 'company', 'brand', 'tool', 'app', 'project', 'competitor', 'option', 'idea', 'service', 'course', 'book', 'movie', 'song', 'recipe', 'restaurant', 'team', 'category', 'tag', 'skill', 'event', 'task', 'step', 'alternative', 'recommendation', 'offer', 'offering', 'campaign', 'channel', 'platform']);

export const STANCE_WORDS: Record<Stance, string[]> = {
  positive: ['positive', 'pos', 'favorable', 'favourable', 'good', 'happy', 'interested', 'likely', 'very_likely', 'yes', 'buy', 'approve', 'agree', 'support', 'high', 'promoter', 'satisfied', 'love', 'like'],
  mixed: ['neutral', 'mixed', 'maybe', 'unsure', 'undecided', 'medium', 'moderate', 'somewhat', 'passive', 'neither', 'unknown', 'considering', 'ambivalent'],
  skeptical: ['negative', 'neg', 'skeptical', 'sceptical', 'unlikely', 'no', 'low', 'bad', 'unfavorable', 'against', 'reject', 'disagree', 'detractor', 'dissatisfied', 'oppose', 'concerned', 'dislike'],
};

export function keyWords(key: string | undefined): string[] {
  return key ? identifierWords(key) : [];
}

export function singular(key: string | undefined): string | undefined {
  if (!key) return key;
  if (/ies$/.test(key)) return `${key.slice(0, -3)}y`;
  if (/(?:ss|us|is)$/.test(key)) return key;
  if (/(?:xes|ches|shes|sses)$/.test(key)) return key.slice(0, -2);
  if (/s$/.test(key)) return key.slice(0, -1);
  return key;
}
