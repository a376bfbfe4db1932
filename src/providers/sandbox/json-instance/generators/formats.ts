/** Values of string formats: from the message where it has one (a URL, an email, a time), else made up. */
import { slugify } from '../../language.js';
import type { Rng } from '../../seed.js';
import type { Where } from '../core/context.js';
import type { HintSource } from './hint-source.js';
import { keyWords } from './keys.js';

/** Values Ajv's formats accept, for when a value built from the message is not one. */
export const SAFE_FORMAT_VALUES: Record<string, string> = {
  'date-time': '2025-01-01T12:00:00Z',
  'iso-date-time': '2025-01-01T12:00:00Z',
  date: '2025-01-01',
  time: '12:00:00Z',
  'iso-time': '12:00:00Z',
  duration: 'P3D',
  email: 'alex.morgan@example.com',
  'idn-email': 'alex.morgan@example.com',
  uri: 'https://example.com/item',
  url: 'https://example.com/item',
  iri: 'https://example.com/item',
  'uri-reference': '/item',
  'iri-reference': '/item',
  'uri-template': 'https://example.com/items/{id}',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  'json-pointer': '/item',
  'json-pointer-uri-fragment': '#/item',
  byte: 'c2FuZGJveA==',
};

/** A value of `format` built from the request (checked against the format by the caller). */
export function formatCandidate(source: HintSource, format: string, w: Where, rng: Rng): string | undefined {
  const dayMs = 86_400_000;
  const base = Date.UTC(2025, 0, 1) + rng.int(0, 364) * dayMs + rng.int(8, 18) * 3_600_000 + rng.pick([0, 15, 30, 45]) * 60_000;
  const iso = new Date(base).toISOString().replace('.000Z', 'Z');
  const name = source.personName(w);
  switch (format) {
    case 'date-time':
    case 'iso-date-time':
      return iso;
    case 'date':
      return iso.slice(0, 10);
    case 'time':
    case 'iso-time':
      return source.hints.time ? `${source.hints.time}:00Z` : `${iso.slice(11, 19)}Z`;
    case 'duration':
      return rng.pick(['P3D', 'PT2H', 'P1W', 'PT30M', 'P1M']);
    case 'email':
    case 'idn-email':
      return source.hints.email ?? `${slugify(name, 24).replace(/-/g, '.')}@example.com`;
    case 'uri':
    case 'url':
    case 'iri':
      return source.hints.url ?? `https://example.com/${slugify(source.hints.topic || keyWords(w.key).join(' ') || 'item')}`;
    case 'uri-reference':
    case 'iri-reference':
      return `/${slugify(source.hints.topic || 'item')}`;
    case 'uri-template':
      return 'https://example.com/items/{id}';
    case 'hostname':
    case 'idn-hostname':
      return `${slugify(source.hints.keywords[0] ?? 'example', 20)}.example.com`;
    case 'ipv4':
      return `192.0.2.${rng.int(1, 254)}`;
    case 'ipv6':
      return `2001:db8::${rng.int(1, 0xffff).toString(16)}`;
    case 'uuid': {
      const h = rng.hex(32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[rng.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    }
    case 'regex':
      return '^[a-z]+$';
    case 'json-pointer':
      return `/${slugify(keyWords(w.key)[0] ?? 'item', 20)}`;
    case 'json-pointer-uri-fragment':
      return `#/${slugify(keyWords(w.key)[0] ?? 'item', 20)}`;
    case 'relative-json-pointer':
      return '0';
    case 'byte':
      return Buffer.from(source.hints.topic || 'sandbox').toString('base64');
    default:
      return undefined;
  }
}
