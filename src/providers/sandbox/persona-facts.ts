/**
 * Facts about a persona an answer can reason from, worked out of its
 * profile rather than pasted from it: its yearly income (the population
 * block's income bands, else the `income_bracket` text), how many people
 * live in its household, its age, its role as a short noun ("Chief
 * Financial Officer", not the whole occupation line) and what kind of work
 * that is (executive hours, shifts, a business of one's own, study).
 */
import type { PersonaRecord } from '../../personas/persona-schema.js';

/** Yearly income in the persona's currency (the middle of its bands, weighted by their shares). */
export function yearlyIncome(persona: PersonaRecord): number | undefined {
  const income = persona.profile.population?.income;
  if (income?.bands.length) {
    let sum = 0;
    let weight = 0;
    for (const b of income.bands) {
      const mid = b.min !== undefined && b.max !== undefined ? (b.min + b.max) / 2 : (b.min ?? (b.max ?? 0) * 0.7) * (b.max === undefined ? 1.3 : 1);
      sum += mid * b.share;
      weight += b.share;
    }
    const v = weight > 0 ? sum / weight : undefined;
    if (v === undefined) return undefined;
    // a business's revenue is not what the owner lives on: roughly its margin is
    const own = income.basis === 'business revenue' ? v * 0.12 : v;
    return income.period === 'month' ? own * 12 : own;
  }
  const text = persona.profile.demographics.income_bracket ?? '';
  const nums = [...text.matchAll(/(\d[\d,.]*)\s*(k|m)?\b/gi)]
    .map((m) => Number((m[1] ?? '').replace(/,/g, '')) * (/k/i.test(m[2] ?? '') ? 1000 : /m/i.test(m[2] ?? '') ? 1e6 : 1))
    .filter((n) => n >= 100);
  if (!nums.length) return undefined;
  const v = nums.length >= 2 ? (nums[0]! + nums[1]!) / 2 : /\bunder|below|less than\b/i.test(text) ? nums[0]! * 0.7 : nums[0]! * 1.2;
  return /\bmonth/i.test(text) ? v * 12 : v;
}

const COUNT: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6 };

/** People in the household (the persona included). */
export function householdSize(persona: PersonaRecord): number {
  const h = `${persona.profile.demographics.household} ${persona.profile.demographics.life_stage ?? ''}`.toLowerCase();
  if (/\blives? alone\b|\bsingle-person\b|\bon (?:my|their|his|her) own\b/.test(h)) return 1;
  const kids = /(\d+)\s*(?:-|–|to)\s*(\d+)\s+(?:kids|children)/.exec(h);
  const kidCount = kids ? Math.round((Number(kids[1]) + Number(kids[2])) / 2) : /\b(one|two|three|four|\d) (?:young )?(?:kids?|children|child)\b/.exec(h)?.[1];
  const nKids = typeof kidCount === 'number' ? kidCount : kidCount ? (COUNT[kidCount] ?? Number(kidCount)) : /\b(?:kids|children|child)\b/.test(h) ? 2 : 0;
  const adults = /\bsingle (?:parent|mother|father|mom|dad)\b/.test(h)
    ? 1
    : /\b(?:married|partner|couple|two parents|spouse|husband|wife)\b/.test(h)
      ? 2
      : /\bmulti-?generational|extended family|joint family|in-laws|grandparents live\b/.test(h)
        ? 4
        : /\broommates?\b|\bwith parents\b/.test(h)
          ? 1
          : nKids
            ? 2
            : 1;
  if (/\broommates?\b|\bwith (?:my |their )?parents\b/.test(h) && nKids === 0) return 1;
  return Math.max(1, Math.min(8, adults + nKids));
}

export function hasKids(persona: PersonaRecord): boolean {
  const d = persona.profile.demographics;
  return (
    /\b(?:kids|children|child|son|daughter|toddler|baby)\b/i.test(`${d.household} ${d.life_stage ?? ''}`) &&
    !/\bno kids\b|\bkids (?:grown|launched|in college)|\bchildren grown\b/i.test(`${d.household} ${d.life_stage ?? ''}`)
  );
}

/** The middle of the persona's age range. */
export function ageOf(persona: PersonaRecord): number {
  const m = /(\d{2})\s*(?:-|–|to)\s*(\d{2})/.exec(persona.profile.demographics.age_range ?? '');
  if (m) return (Number(m[1]) + Number(m[2])) / 2;
  const one = /(\d{2})/.exec(persona.profile.demographics.age_range ?? '');
  return one ? Number(one[1]) : 40;
}

/**
 * The persona's role as a short noun: "Chief Financial Officer of a 200-600-bed
 * nonprofit hospital or …" → "Chief Financial Officer"; "two working parents,
 * e.g., project manager, nurse" → "project manager".
 */
export function shortRole(persona: PersonaRecord): string {
  let occ = persona.profile.demographics.occupation.trim();
  const eg = /\b(?:e\.g\.|i\.e\.|such as|like)\s*,?\s*(.+)$/i.exec(occ);
  if (eg?.[1]) occ = eg[1];
  const first = (occ.split(/\s*[,;/]\s*|\s+or\s+/)[0] ?? occ).replace(/\s*\([^)]*\)/g, '');
  const cut = first.replace(/\s+(?:of|at|in|for|with|from|who|that|running|working)\b.*$/i, '').trim();
  const words = cut.split(/\s+/);
  const role = words.length > 5 ? words.slice(-3).join(' ') : cut;
  return /^\p{Lu}\p{Ll}/u.test(role) && !/^(?:Chief|Head|Director|Vice|VP|Senior|Principal|Managing|General)\b/.test(role) ? role.charAt(0).toLowerCase() + role.slice(1) : role;
}

export type WorkKind = 'executive' | 'professional' | 'shift' | 'owner' | 'student' | 'retired' | 'parttime' | 'standard';

/** What kind of working week the persona's occupation means. */
export function workKind(persona: PersonaRecord): WorkKind {
  const d = persona.profile.demographics;
  const occ = `${d.occupation} ${d.life_stage ?? ''}`.toLowerCase();
  if (/\bretired\b|\bretiree\b/.test(occ) && !/\bsemi-retired|still working\b/.test(occ)) return 'retired';
  if (/^\s*student\b|\bfull-time student\b/.test(d.occupation.toLowerCase())) return 'student';
  if (/\b(?:chief|ceo|cfo|cto|cio|cmo|coo|vp|vice president|executive|director|partner|head of)\b/.test(occ)) return 'executive';
  if (/\b(?:owner|founder|farmer|producer|grower|shopkeeper|self-employed|freelanc\w*|tradie|contractor|rancher)\b/.test(occ)) return 'owner';
  if (/\b(?:nurse|aide|shift|warehouse|driver|retail|cashier|technician|firefighter|police|paramedic|assistant|server|cook)\b/.test(occ)) return 'shift';
  if (/\b(?:consultant|lawyer|attorney|banker|associate|analyst|engineer|manager|physician|doctor|surgeon|developer|researcher|professor|teacher)\b/.test(occ)) return 'professional';
  if (/\bpart-time\b/.test(occ)) return 'parttime';
  return 'standard';
}
