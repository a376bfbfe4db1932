/**
 * A tool's output said the way a person reports it: `{"temp_f": 28,
 * "conditions": "snow"}` → "It's 28°F and snowing.", `{"status": "shipped",
 * "eta_days": 2}` → "The status is shipped, and the ETA is 2 days.", a list
 * of named things → "I found 3: A, B and C.", plain text → its first
 * sentence. Keys are read for what they mean (a temperature and its unit, a
 * condition, a price, a yes/no flag), never echoed raw ("temp f 28").
 */
import { capitalize, sentence } from '../../text/words.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const WORDS: Record<string, string> = {
  eta: 'ETA',
  id: 'ID',
  url: 'URL',
  usd: 'USD',
  sku: 'SKU',
  api: 'API',
  pct: 'percent',
  qty: 'quantity',
  num: 'number',
  avg: 'average',
  min: 'minimum',
  max: 'maximum',
  amt: 'amount',
  desc: 'description',
};

/** "eta_days" → "ETA (days)", "orderStatus" → "order status". */
function keyWords(key: string): { name: string; unit?: string } {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .toLowerCase()
    .trim()
    .split(/\s+/)
    .map((w) => WORDS[w] ?? w);
  const last = words[words.length - 1] ?? '';
  const unit =
    /^(?:days|hours|minutes|mins|seconds|secs|km|miles|mi|kg|lbs|percent|usd|eur|gbp|ms)$/i.test(last) && words.length > 1
      ? last
          .replace(/^mins$/, 'minutes')
          .replace(/^secs$/, 'seconds')
          .replace(/^mi$/, 'miles')
      : undefined;
  const name = (unit ? words.slice(0, -1) : words).join(' ');
  return unit ? { name, unit } : { name };
}

const TEMP_KEY = /^(?:temp|temperature|temp_?[fc]|temperature_?[fc]|temp_?(?:fahrenheit|celsius)|temperature_?(?:fahrenheit|celsius)|feels_?like(?:_?[fc])?|current_?temp(?:erature)?)$/i;
const CONDITION_KEY = /^(?:conditions?|weather|sky|forecast|description|summary|outlook)$/i;
const CONDITION_WORDS: [RegExp, string][] = [
  [/\bsnow\w*/i, 'snowing'],
  [/\bsleet\b/i, 'sleeting'],
  [/\b(?:rain\w*|showers?|drizzle)\b/i, 'raining'],
  [/\bthunder\w*|storm\w*/i, 'stormy'],
  [/\bfog\w*|mist\w*/i, 'foggy'],
  [/\bpartly cloudy\b/i, 'partly cloudy'],
  [/\b(?:cloud\w*|overcast)\b/i, 'cloudy'],
  [/\b(?:sun\w*|clear)\b/i, 'clear'],
  [/\bwind\w*/i, 'windy'],
];

function conditionPhrase(text: string): string {
  for (const [re, word] of CONDITION_WORDS) if (re.test(text)) return word;
  return text.toLowerCase();
}

function unitOfTemp(key: string, value: unknown, obj: Record<string, Json>): string {
  if (/_?f$|fahrenheit/i.test(key)) return '°F';
  if (/_?c$|celsius/i.test(key)) return '°C';
  const unit = String(obj.unit ?? obj.units ?? obj.temperature_unit ?? '');
  if (/^f|fahrenheit|imperial/i.test(unit)) return '°F';
  if (/^c|celsius|metric/i.test(unit)) return '°C';
  return typeof value === 'number' && value > 45 ? '°F' : '°C';
}

/** The temperature and conditions of a weather-like object, when it is one (looked for one level down too). */
function weather(obj: Record<string, Json>): string | undefined {
  const flat: Record<string, Json> = { ...obj };
  for (const v of Object.values(obj)) if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) if (!(k in flat)) flat[k] = x;
  const tempKey = Object.keys(flat).find((k) => TEMP_KEY.test(k) && typeof flat[k] === 'number' && !/feels/i.test(k));
  const condKey = Object.keys(flat).find((k) => CONDITION_KEY.test(k) && typeof flat[k] === 'string');
  if (!tempKey && !(condKey && /\b(?:snow|rain|sun|cloud|clear|storm|fog|wind|overcast|drizzle|showers?)\b/i.test(String(flat[condKey])))) return undefined;
  const parts: string[] = [];
  if (tempKey) parts.push(`${Math.round(Number(flat[tempKey]))}${unitOfTemp(tempKey, flat[tempKey], flat)}`);
  const place = flat.location ?? flat.city ?? flat.place;
  const where = typeof place === 'string' && place.length <= 40 ? ` in ${place}` : '';
  const condition = condKey ? String(flat[condKey]).replace(/\s+/g, ' ').trim() : '';
  // More than a word or two ("rain, code MARMALADE-42", "sunny with highs of 20 in Paris"): reported as
  // given, so no detail of the tool's answer is lost; one word or two becomes the plain phrase.
  if (condKey && condition.split(' ').length > 2) {
    const said = `the ${keyWords(condKey).name} says ${scalar(condition).replace(/[.!?]+$/, '')}`;
    return sentence(parts.length ? `It's ${parts[0]}${where}; ${said}` : capitalize(said));
  }
  if (condKey) parts.push(conditionPhrase(condition));
  const extras: string[] = [];
  const humidity = Object.keys(flat).find((k) => /^humidity(?:_?pct|_?percent)?$/i.test(k));
  if (humidity && typeof flat[humidity] === 'number') extras.push(`humidity at ${flat[humidity]}%`);
  const wind = Object.keys(flat).find((k) => /^wind(?:_?speed)?(?:_?(?:mph|kph|kmh|ms))?$/i.test(k));
  if (wind && typeof flat[wind] === 'number') extras.push(`wind ${flat[wind]}${/kph|kmh/i.test(wind) ? ' km/h' : /mph/i.test(wind) ? ' mph' : ''}`);
  return `It's ${parts.join(' and ')}${where}${extras.length ? `, ${extras.join(', ')}` : ''}.`;
}

function scalar(value: Json, unit?: string): string {
  if (typeof value === 'number') return `${value.toLocaleString('en-US')}${unit ? (unit === 'percent' ? '%' : ` ${unit}`) : ''}`;
  if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 79).trimEnd()}…` : value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return 'none';
}

const MONEY_KEY = /^(?:price|cost|total|amount|balance|fee|subtotal|fare)(?:_?(?:usd|eur|gbp))?$/i;

/** One key and value as a clause: "the status is shipped", "it is in stock", "the price is $19.99". */
function clause(key: string, value: Json, obj: Record<string, Json>): string | undefined {
  const flag = /^(?:is|has|can)_?(.+)$/i.exec(key);
  if (typeof value === 'boolean') {
    const what = keyWords(flag?.[1] ?? key).name;
    const verb = /^has/i.test(key) ? (value ? 'it has' : 'it has no') : /^can/i.test(key) ? (value ? 'it can' : 'it cannot') : value ? 'it is' : 'it is not';
    return `${verb} ${what}`;
  }
  if (value === null || (typeof value === 'object' && !Array.isArray(value))) return undefined;
  const { name, unit } = keyWords(key);
  if (Array.isArray(value))
    return value.length
      ? `the ${name} ${value.length === 1 ? 'is' : 'are'} ${listOf(
          value
            .slice(0, 3)
            .map((v) => (typeof v === 'object' && v !== null ? nameOf(v as Json) : scalar(v)))
            .filter(Boolean) as string[],
        )}`
      : `there are no ${name}`;
  if (MONEY_KEY.test(key) && typeof value === 'number') {
    const cur = String(obj.currency ?? (/usd/i.test(key) ? 'USD' : /eur/i.test(key) ? 'EUR' : /gbp/i.test(key) ? 'GBP' : 'USD')).toUpperCase();
    const sign = cur === 'EUR' ? '€' : cur === 'GBP' ? '£' : cur === 'USD' ? '$' : `${cur} `;
    return `the ${keyWords(key.replace(/_?(?:usd|eur|gbp)$/i, '')).name} is ${sign}${value.toFixed(value % 1 ? 2 : 0)}`;
  }
  if (/^currency$|^unit$|^units$/i.test(key)) return undefined;
  return `the ${name} is ${scalar(value, unit)}`;
}

function listOf(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function nameOf(v: Json): string | undefined {
  if (v === null || typeof v !== 'object') return v === null ? undefined : scalar(v);
  if (Array.isArray(v)) return undefined;
  const n = v.name ?? v.title ?? v.label ?? v.headline ?? v.id;
  return typeof n === 'string' || typeof n === 'number' ? String(n) : undefined;
}

function describe(value: Json): string {
  if (value === null) return 'Nothing came back.';
  if (typeof value === 'string') return sentence(firstSentence(value));
  if (typeof value !== 'object') return sentence(`The result is ${scalar(value)}`);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'Nothing came back.';
    const names = value.map(nameOf).filter((x): x is string => !!x);
    const shown = names.slice(0, 3);
    return sentence(`I found ${value.length}${shown.length ? `: ${value.length > shown.length ? `${shown.join(', ')} and more` : listOf(shown)}` : ''}`);
  }
  const w = weather(value);
  if (w) return w;
  const entries = Object.entries(value);
  if (entries.length === 0) return 'Nothing came back.';
  // a list inside ({"results": [...]}) is the result
  const list = entries.find(([, v]) => Array.isArray(v) && v.length > 0 && typeof v[0] === 'object');
  if (list && entries.length <= 3) return describe(list[1]);
  const clauses = entries
    .map(([k, v]) => clause(k, v, value))
    .filter((c): c is string => !!c)
    .slice(0, 3);
  if (!clauses.length) return 'It came back with the details.';
  return sentence(capitalize(clauses.length > 1 ? `${clauses.slice(0, -1).join(', ')}, and ${clauses[clauses.length - 1]}` : (clauses[0] as string)));
}

function firstSentence(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const m = /^(.+?[.!?])(?:\s|$)/.exec(oneLine);
  return (m?.[1] ?? oneLine).replace(/[.!?]+$/, '');
}

/** A tool output as one or two plain sentences (see the file comment). */
export function describeToolOutput(output: string): string {
  const trimmed = output.trim();
  if (!trimmed) return 'Nothing came back.';
  let parsed: Json | undefined;
  try {
    parsed = JSON.parse(trimmed) as Json;
  } catch {
    parsed = undefined;
  }
  return parsed === undefined ? sentence(capitalize(firstSentence(trimmed))) : describe(parsed);
}
