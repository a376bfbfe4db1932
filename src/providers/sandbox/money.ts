/**
 * Prices a sandbox persona can name: in the currency of the question when it
 * states amounts, else in the persona's own (its population block's income
 * currency, else its country's), at a level that follows its price
 * sensitivity.
 *
 * Reference prices for things people are asked about are typical US prices;
 * a persona elsewhere gets them times a rough price-level factor (local
 * currency units per US dollar of purchasing power, rounded from the World
 * Bank's PPP conversion factors) so a price reads as local. A test double,
 * not market data.
 */
import type { PersonaProfile } from '../../personas/persona-schema.js';
import type { Amount, QuestionRead } from './question.js';

export interface Currency {
  code: string;
  /** How an amount is written: "$12", "12 €" is not used — the sign goes first unless `after`. */
  sign: string;
  after?: boolean;
  /** Local currency per US dollar of purchasing power (rough). */
  ppp: number;
}

const CURRENCIES: Record<string, Currency> = {
  USD: { code: 'USD', sign: '$', ppp: 1 },
  EUR: { code: 'EUR', sign: '€', ppp: 0.7 },
  GBP: { code: 'GBP', sign: '£', ppp: 0.68 },
  INR: { code: 'INR', sign: '₹', ppp: 22 },
  JPY: { code: 'JPY', sign: '¥', ppp: 95 },
  CNY: { code: 'CNY', sign: '¥', ppp: 4 },
  KRW: { code: 'KRW', sign: '₩', ppp: 850 },
  BRL: { code: 'BRL', sign: 'R$', ppp: 2.5 },
  MXN: { code: 'MXN', sign: ' pesos', after: true, ppp: 10 },
  ARS: { code: 'ARS', sign: ' pesos', after: true, ppp: 450 },
  COP: { code: 'COP', sign: ' pesos', after: true, ppp: 1400 },
  KES: { code: 'KES', sign: 'KSh ', ppp: 45 },
  NGN: { code: 'NGN', sign: '₦', ppp: 250 },
  ZAR: { code: 'ZAR', sign: 'R', ppp: 7 },
  EGP: { code: 'EGP', sign: ' Egyptian pounds', after: true, ppp: 12 },
  PHP: { code: 'PHP', sign: '₱', ppp: 20 },
  IDR: { code: 'IDR', sign: 'Rp', ppp: 5000 },
  VND: { code: 'VND', sign: '₫', after: true, ppp: 7500 },
  SAR: { code: 'SAR', sign: ' riyals', after: true, ppp: 1.9 },
  AED: { code: 'AED', sign: ' dirhams', after: true, ppp: 2.3 },
  TRY: { code: 'TRY', sign: '₺', ppp: 12 },
  PLN: { code: 'PLN', sign: ' zł', after: true, ppp: 2 },
  CZK: { code: 'CZK', sign: ' Kč', after: true, ppp: 13 },
  SEK: { code: 'SEK', sign: ' kr', after: true, ppp: 8.5 },
  PKR: { code: 'PKR', sign: 'Rs ', ppp: 80 },
  AUD: { code: 'AUD', sign: 'A$', ppp: 1.45 },
  NZD: { code: 'NZD', sign: 'NZ$', ppp: 1.45 },
  SGD: { code: 'SGD', sign: 'S$', ppp: 0.85 },
  CAD: { code: 'CAD', sign: 'C$', ppp: 1.2 },
};

const COUNTRY_CURRENCY: Record<string, string> = {
  US: 'USD', GB: 'GBP', UK: 'GBP', DE: 'EUR', FR: 'EUR', ES: 'EUR', IT: 'EUR', NL: 'EUR', IE: 'EUR', PT: 'EUR', AT: 'EUR', BE: 'EUR', FI: 'EUR', GR: 'EUR',
  IN: 'INR', JP: 'JPY', CN: 'CNY', KR: 'KRW', BR: 'BRL', MX: 'MXN', AR: 'ARS', CO: 'COP', KE: 'KES', NG: 'NGN', ZA: 'ZAR', EG: 'EGP', PH: 'PHP',
  ID: 'IDR', VN: 'VND', SA: 'SAR', AE: 'AED', TR: 'TRY', PL: 'PLN', CZ: 'CZK', SE: 'SEK', PK: 'PKR', AU: 'AUD', NZ: 'NZD', SG: 'SGD', CA: 'CAD',
};

const SIGN_CURRENCY: Record<string, string> = { $: 'USD', 'US$': 'USD', '€': 'EUR', '£': 'GBP', '₹': 'INR', '¥': 'JPY', '₩': 'KRW', 'R$': 'BRL', '₦': 'NGN', '₱': 'PHP', '₺': 'TRY', '₫': 'VND', 'A$': 'AUD', 'NZ$': 'NZD', 'C$': 'CAD', 'S$': 'SGD', 'MX$': 'MXN', KSh: 'KES', Rs: 'PKR', R: 'ZAR', 'zł': 'PLN', 'Kč': 'CZK', kr: 'SEK', AED: 'AED', SAR: 'SAR', EGP: 'EGP', ZAR: 'ZAR', INR: 'INR', EUR: 'EUR', GBP: 'GBP' };

/** The persona's currency: its population block's, else its country's, else US dollars. */
export function personaCurrency(profile: PersonaProfile | undefined): Currency {
  const code = profile?.population?.income?.currency ?? COUNTRY_CURRENCY[(profile?.demographics.country ?? 'US').toUpperCase()] ?? 'USD';
  return CURRENCIES[code] ?? { code, sign: `${code} `, ppp: 1 };
}

function currencyOfSign(sign: string, persona: Currency): Currency {
  // "$" in a question to a persona whose money is some other dollar (or pesos) means the persona's own.
  if (sign === '$' && ['AUD', 'NZD', 'CAD', 'SGD', 'MXN', 'ARS', 'COP'].includes(persona.code)) return persona;
  if (sign === '₹' && persona.code === 'PKR') return persona;
  const code = SIGN_CURRENCY[sign];
  return (code ? CURRENCIES[code] : undefined) ?? persona;
}

/** A price rounded the way a person says it: $4.50, $12, $35, $120, ₹250, ¥1,200. */
export function nicePrice(value: number): number {
  const v = Math.max(0, value);
  if (v < 10) return Math.round(v * 2) / 2;
  if (v < 30) return Math.round(v);
  if (v < 100) return Math.round(v / 5) * 5;
  const magnitude = 10 ** Math.floor(Math.log10(v));
  const step = v / magnitude < 3 ? magnitude / 10 : magnitude / 4;
  return Math.round(v / step) * step;
}

export function formatMoney(value: number, currency: Currency): string {
  const n = nicePrice(value);
  const text = n % 1 === 0 ? n.toLocaleString('en-US') : n.toFixed(2);
  return currency.after ? `${text}${currency.sign}` : `${currency.sign}${text}`;
}

/** Typical US prices of things people are asked about, and the period they are paid for. */
const REFERENCE: [RegExp, number, QuestionRead['period'] | undefined][] = [
  [/\bmeal[- ]?kits?\b/i, 60, 'week'],
  [/\bphone plan|mobile plan|cell plan|data plan|carrier\b/i, 45, 'month'],
  [/\bstreaming|netflix|spotify|music service\b/i, 12, 'month'],
  [/\bgym|fitness (?:club|membership)\b/i, 40, 'month'],
  [/\binsurance\b/i, 120, 'month'],
  [/\binternet|broadband|wifi\b/i, 60, 'month'],
  [/\bsoftware|saas|platform|per seat|licen[cs]e|crm|erp|hris\b/i, 30, 'month'],
  [/\bapp\b|\bapps\b|\bsubscription|membership|newsletter\b/i, 8, 'month'],
  [/\bcoffee|latte\b/i, 5, undefined],
  [/\benergy drink|soda|drink|snack\b/i, 3, undefined],
  [/\bdelivery\b/i, 8, undefined],
  [/\bheadphones|earbuds\b/i, 150, undefined],
  [/\bsneakers?|shoes|boots\b/i, 110, undefined],
  [/\blaptop|computer\b/i, 900, undefined],
  [/\bphone\b|smartphone\b/i, 700, undefined],
  [/\bcar\b|\bvehicle|truck\b/i, 30000, undefined],
  [/\bhotel|flight|trip|vacation\b/i, 400, undefined],
  [/\bcourse|class|lesson|training\b/i, 50, undefined],
  [/\bbook\b/i, 20, undefined],
];

/** How much more (or less) than the reference price a persona would pay, by price sensitivity. */
const SENSITIVITY_FACTOR = { high: 0.6, medium: 0.9, low: 1.35 } as const;
/** How far over what they pay now a persona stays before leaving, by price sensitivity. */
const TOLERANCE = { high: 0.08, medium: 0.2, low: 0.45 } as const;

export interface PricePoint {
  value: number;
  currency: Currency;
  period: QuestionRead['period'];
  /** The price the question names (the last amount, e.g. the new price), in the same currency. */
  asked?: number;
  /** The price paid now, when the question gives an old and a new one. */
  current?: number;
}

export type Sensitivity = 'low' | 'medium' | 'high';

/**
 * The most the persona would pay for what the question is about. `lean` in
 * [-1, 1] (how much they like it) moves it ±30%; `jitter` in [0, 1) is the
 * persona's own stable spread (±10%).
 */
export function willingnessToPay(q: QuestionRead, text: string, sensitivity: Sensitivity, persona: Currency, lean: number, jitter: number): PricePoint {
  const amounts: Amount[] = q.amounts;
  const own = 1 + 0.3 * lean + 0.2 * (jitter - 0.5);
  if (amounts.length > 0) {
    const currency = currencyOfSign(amounts[0]?.symbol ?? '', persona);
    const asked = amounts[amounts.length - 1]?.value ?? 0;
    if (amounts.length >= 2) {
      // "goes from $45 to $55": what they would bear over what they pay now
      const current = amounts[0]?.value ?? asked;
      const value = current * (1 + TOLERANCE[sensitivity] * own);
      return { value, currency, period: q.period, asked, current };
    }
    return { value: asked * SENSITIVITY_FACTOR[sensitivity] * own * (sensitivity === 'low' ? 1 : 1.15), currency, period: q.period, asked };
  }
  const ref = REFERENCE.find(([re]) => re.test(text));
  const usd = ref?.[1] ?? 20;
  const period = q.period ?? ref?.[2];
  // a weekly reference asked per month, and the like
  const perPeriod = ref?.[2] && q.period && ref[2] !== q.period ? convertPeriod(usd, ref[2], q.period) : usd;
  return { value: perPeriod * SENSITIVITY_FACTOR[sensitivity] * own * persona.ppp, currency: persona, period };
}

const PER_MONTH = { day: 30, week: 4.3, month: 1, year: 1 / 12 } as const;
function convertPeriod(value: number, from: NonNullable<QuestionRead['period']>, to: NonNullable<QuestionRead['period']>): number {
  return (value * PER_MONTH[from]) / PER_MONTH[to];
}

export function perPeriod(period: QuestionRead['period']): string {
  return period ? ` a ${period}` : '';
}
