/**
 * What a derived persona keeps of its template when the person described
 * lives elsewhere (derive.ts). A template is the closest built-in persona; its
 * region, culture and media belong to that persona's own place: a Berlin
 * nurse derived from a Dutch commuter must not read NOS or live in a Dutch
 * culture, a Texas rancher derived from Oklahoma retirees must not be
 * Cherokee. So:
 *
 * - the template's own place words (capitalized words of its region, culture,
 *   name and description that the request does not use, e.g. Oklahoma,
 *   Cherokee, Dutch, NOS) mark every list item and every `;`-separated part
 *   of a text that mentions them, and those are dropped (a list keeps its
 *   schema minimum, falling back to the template's first items);
 * - on a change of country, the media (channels, platforms, trusted sources,
 *   habits) come from the library's personas of that country when there are
 *   any (the most common entries first), else from a neutral pool that names
 *   no country; the culture is the new place's.
 *
 * Deterministic: same input, same profile.
 */
import type { PersonaProfile, PersonaRecord } from './persona-schema.js';

/** Words capitalized for grammar or generic enough to keep. */
const KEEP = new Set(
  'The A An And Or Of In On At For With To From By Gen Baby Boomer Boomers Millennial Millennials Silent Generation Z X Facebook YouTube Instagram WhatsApp TikTok LinkedIn Google Amazon Netflix Reddit Pinterest Snapchat Spotify Apple iPhone Android Microsoft Teams Zoom Slack Excel X Twitter Threads Discord Twitch Telegram Uber Airbnb Costco Walmart Target IKEA'.split(
    ' ',
  ),
);

/**
 * Capitalized words of the template's place and identity that the request
 * does not use; with `otherCountry`, every capitalized word of its profile
 * (another country's brands, media and institutions do not travel).
 */
export function templatePlaceWords(template: PersonaRecord, requestText: string, keep: readonly string[], otherCountry = false): Set<string> {
  const d = template.profile.demographics;
  const { statistics: _statistics, population: _population, ...described } = template.profile;
  const source = otherCountry ? `${JSON.stringify(described)} ${template.name} ${template.description}` : `${d.region} ${d.culture} ${template.name} ${template.description}`;
  const used = new Set((requestText.match(/\p{L}+/gu) ?? []).map((w) => w.toLowerCase()));
  const kept = new Set(keep.flatMap((k) => k.toLowerCase().split(/\s+/)));
  const out = new Set<string>();
  for (const w of source.match(/\b\p{Lu}[\p{L}'’-]{2,}/gu) ?? []) {
    const lower = w.toLowerCase();
    if (KEEP.has(w) || used.has(lower) || kept.has(lower)) continue;
    out.add(w);
  }
  return out;
}

/** Whether `text` uses one of `words` as written (capitalized: a proper noun, not the common word). */
const mentions = (text: string, words: ReadonlySet<string>): boolean => {
  if (words.size === 0) return false;
  for (const w of text.match(/\p{L}[\p{L}'’-]*/gu) ?? []) if (words.has(w)) return true;
  return false;
};

/** The items that do not mention `words`; at least `min` (the template's first items fill up). */
export function withoutWords(items: readonly string[], words: ReadonlySet<string>, min = 1): string[] {
  const out = items.filter((i) => !mentions(i, words));
  for (const i of items) {
    if (out.length >= min) break;
    if (!out.includes(i)) out.push(i);
  }
  return out;
}

/**
 * A text's `;`-separated parts that do not mention `words`; when every part
 * does, the text with those words taken out ("reads Tweakers reviews" →
 * "reads reviews"), else `fallback`.
 */
export function textWithoutWords(text: string, words: ReadonlySet<string>, fallback: string): string {
  if (!mentions(text, words)) return text;
  const parts = text.split(/\s*;\s*/).filter((p) => p && !mentions(p, words));
  if (parts.length) return parts.join('; ');
  const stripped = text
    .replace(/\p{L}[\p{L}'’-]*/gu, (w) => (words.has(w) ? '' : w))
    .replace(/\(\s*\)/g, '')
    .replace(/\s+([,.;:)])/g, '$1')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return /\p{L}{3,}/u.test(stripped) ? stripped : fallback;
}

/** Lists and texts of the profile (all but demographics, Big Five, statistics and population) without what mentions `words`. */
export function scrubPlace(profile: PersonaProfile, words: ReadonlySet<string>): void {
  if (words.size === 0) return;
  const walk = (node: Record<string, unknown>, path: string): void => {
    for (const [k, v] of Object.entries(node)) {
      const at = path ? `${path}.${k}` : k;
      if (at === 'demographics' || at === 'statistics' || at === 'population' || at === 'psychographics.big_five') continue;
      if (typeof v === 'string') node[k] = textWithoutWords(v, words, 'varies');
      else if (Array.isArray(v)) {
        if (v.every((i) => typeof i === 'string')) node[k] = withoutWords(v as string[], words, at === 'communication.phrases' ? 3 : 1).map((i) => textWithoutWords(i, words, i));
      } else if (v && typeof v === 'object') walk(v as Record<string, unknown>, at);
    }
  };
  walk(profile as unknown as Record<string, unknown>, '');
  const d = profile.demographics;
  d.household = textWithoutWords(d.household, words, 'varies');
}

const NEUTRAL_MEDIA: PersonaProfile['media'] = {
  channels: ['national TV news', 'local radio', 'YouTube', 'messaging groups with family and friends'],
  platforms: ['WhatsApp', 'YouTube', 'Facebook', 'Instagram'],
  trusted_sources: ['friends and family', 'colleagues', 'the national public broadcaster'],
  habits: 'checks the news on the phone in the morning; messages family and friends during the day',
};

/** The most common entries of `lists`, in order of frequency then of first appearance, at most `n`. */
function common(lists: readonly (readonly string[])[], n: number): string[] {
  const count = new Map<string, number>();
  for (const l of lists) for (const i of l) count.set(i, (count.get(i) ?? 0) + 1);
  return [...count.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([i]) => i);
}

/**
 * The media of a person of `country`: its library personas' of the same
 * B2B/B2C kind, else the neutral pool.
 */
export function mediaFor(country: string, library: readonly PersonaRecord[], b2b: (p: PersonaRecord) => boolean, wantB2B: boolean): PersonaProfile['media'] {
  // Of the same kind only: a nurse does not read a procurement manager's trade press.
  const pool = library.filter((p) => p.profile.demographics.country === country && b2b(p) === wantB2B);
  if (pool.length === 0) return structuredClone(NEUTRAL_MEDIA);
  const media = pool.map((p) => p.profile.media);
  return {
    channels: common(media.map((m) => m.channels), 6),
    platforms: common(media.map((m) => m.platforms), 6),
    trusted_sources: common(media.map((m) => m.trusted_sources), 5),
    habits: media[0]!.habits,
  };
}
