/**
 * Internal consistency of a persona profile: do age, generation, life stage,
 * occupation, income and education describe one plausible person? The fields
 * are free text, so each rule reads only what it can recognize (an age range,
 * a generation name, "retired", "student", a C-level title, an amount in $, £
 * or €, a degree) and says nothing about what it cannot.
 *
 * Errors (an inconsistent profile):
 *   age_range_format   demographics.age_range must read as an age range ("25-34", "65+", "in their 30s")
 *   generation_age     a named generation (Gen Z, Millennial, Gen X, Baby Boomer, Silent) must overlap the age
 *                      range in the current year (±3 years of slack)
 *   retired_age        a "retired" life stage needs an age range reaching 50
 *   student_age        a student (life stage or occupation) needs an age range starting at 40 or younger
 *   student_income     a student's income cannot start at $100,000 or more (household/family incomes aside)
 *   executive_age      a C-level, VP, president, partner or "head of" title needs an age range reaching 30
 *                      (founders and owners are exempt)
 *   retired_executive  a "retired" life stage cannot hold an active executive title (retired/former/board/advisor
 *                      titles are fine)
 *   student_executive  a student cannot hold an executive title (founders exempt)
 *   licensed_education physicians, lawyers, pharmacists, dentists, veterinarians, professors and psychologists
 *                      need more than a high-school education
 *   degree_age         a completed doctorate/JD/MD needs an age range reaching 24
 *   economic_buyer_budget  decision_role ECONOMIC_BUYER with a budget_authority of "none"
 *
 * Warnings (allowed, reported in `warnings`):
 *   executive_education   an executive title with a high-school-only education (unusual, real)
 *   junior_economic_buyer an entry-level/junior seniority as the ECONOMIC_BUYER
 *
 * Generated profiles are repaired (repairProfile) by re-deriving the field
 * that was not given; a profile whose conflicting fields were all given by
 * the caller is rejected, naming the field.
 */
import type { GuidedDetails, PersonaProfile } from './persona-schema.js';

/** Fields the rules read: profile paths, and guided fields under `guided.`. */
export type CheckedField =
  | 'demographics.age_range'
  | 'demographics.generation'
  | 'demographics.life_stage'
  | 'demographics.occupation'
  | 'demographics.income_bracket'
  | 'demographics.education'
  | 'guided.budget_authority'
  | 'guided.decision_role'
  | 'guided.seniority';

export interface ConsistencyIssue {
  rule: string;
  severity: 'error' | 'warning';
  /** The fields in conflict, the one to re-derive first. */
  fields: CheckedField[];
  message: string;
}

// ------------------------------------------------------------ recognizers

export interface Range {
  min: number;
  max: number;
}

/** An age range in free text, or null: "25-34", "25 to 34", "65+", "65 and over", "in their 30s", "under 18". */
export function parseAgeRange(text: string): Range | null {
  const t = text.toLowerCase();
  let m = /(\d{1,3})\s*(?:-|–|—|to)\s*(\d{1,3})/.exec(t);
  if (m) return sane(Number(m[1]), Number(m[2]));
  m = /(\d{1,3})\s*(?:\+|and (?:over|older|up)|or older)/.exec(t);
  if (m) return sane(Number(m[1]), 100);
  m = /(?:under|below|younger than)\s*(\d{1,3})/.exec(t);
  if (m) return sane(0, Number(m[1]) - 1);
  m = /(?:early|mid|late)?[- ]?(\d)0s\b/.exec(t);
  if (m) {
    const base = Number(m[1]) * 10;
    if (/early[- ]?\d0s/.test(t)) return sane(base, base + 3);
    if (/mid[- ]?\d0s/.test(t)) return sane(base + 3, base + 6);
    if (/late[- ]?\d0s/.test(t)) return sane(base + 6, base + 9);
    return sane(base, base + 9);
  }
  m = /^\s*(\d{1,3})\s*$/.exec(t);
  if (m) return sane(Number(m[1]), Number(m[1]));
  return null;
}

function sane(min: number, max: number): Range | null {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min < 0 || max > 120 || min > max) return null;
  return { min, max };
}

export const formatAgeRange = (r: Range): string => (r.max >= 100 ? `${r.min}+` : `${r.min}-${r.max}`);

interface Generation {
  name: string;
  pattern: RegExp;
  born: [number, number];
}

/** Birth years as Pew Research and common usage define them. */
export const GENERATIONS: readonly Generation[] = [
  { name: 'Gen Alpha', pattern: /\bgen(?:eration)?[- ]?alpha\b/i, born: [2013, 2025] },
  { name: 'Gen Z', pattern: /\bgen(?:eration)?[- ]?z\b|\bzoomers?\b/i, born: [1997, 2012] },
  { name: 'Millennial', pattern: /\bmillennials?\b|\bgen(?:eration)?[- ]?y\b/i, born: [1981, 1996] },
  { name: 'Gen X', pattern: /\bgen(?:eration)?[- ]?x\b|\bxennials?\b/i, born: [1965, 1980] },
  { name: 'Baby Boomer', pattern: /\bboomers?\b|\bbaby[- ]boom|\bpost-war\b|\bdankai\b/i, born: [1946, 1964] },
  { name: 'Silent Generation', pattern: /\bsilent generation\b|\bsilent gen\b/i, born: [1928, 1945] },
  { name: 'Greatest Generation', pattern: /\bgreatest generation\b/i, born: [1901, 1927] },
];

const GENERATION_SLACK = 3;

/** The generations named in the text, each with its age span in `year`. */
export function namedGenerations(text: string, year: number): { name: string; ages: Range }[] {
  return GENERATIONS.filter((g) => g.pattern.test(text)).map((g) => ({ name: g.name, ages: { min: year - g.born[1], max: year - g.born[0] } }));
}

/** The generations an age range falls in, oldest last ("Millennial and Gen X"). */
export function generationsFor(ages: Range, year: number): string {
  const names = GENERATIONS.filter((g) => year - g.born[1] <= ages.max && year - g.born[0] >= ages.min).map((g) => g.name);
  if (names.length === 0) return 'unknown';
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** An income range in $, £ or € per year, or null when the text has no such amount (other currencies are not compared). */
export function parseIncome(text: string): Range | null {
  const t = text.toLowerCase();
  const amounts: { value: number; index: number; end: number; plus: boolean }[] = [];
  for (const m of t.matchAll(/(?<![a-z])([$£€])\s?(\d[\d,]*(?:\.\d+)?)\s*(k\b|m\b|million\b|thousand\b)?(\+)?/g)) {
    let v = Number((m[2] ?? '').replace(/,/g, ''));
    const unit = m[3];
    if (unit === 'k' || unit === 'thousand') v *= 1000;
    else if (unit === 'm' || unit === 'million') v *= 1_000_000;
    if (!Number.isFinite(v)) continue;
    amounts.push({ value: v, index: m.index ?? 0, end: (m.index ?? 0) + m[0].length, plus: m[4] === '+' });
  }
  const first = amounts[0];
  if (!first) return null;
  // "a month" / "an hour" right after the amounts scales them to a year.
  const after = t.slice(amounts[Math.min(1, amounts.length - 1)]!.end, amounts[Math.min(1, amounts.length - 1)]!.end + 14);
  const scale = /^\s*(?:(?:a|per|\/)\s?(?:month|mo)\b|monthly)/.test(after) ? 12 : /^\s*(?:(?:an|per|\/)\s?(?:hour|hr)\b|hourly)/.test(after) ? 2000 : 1;
  const before = t.slice(Math.max(0, first.index - 16), first.index);
  let range: Range;
  if (/(under|less than|below|up to)\s*$/.test(before)) range = { min: 0, max: first.value };
  else if (first.plus || /(over|more than|above|at least)\s*$/.test(before)) range = { min: first.value, max: Number.POSITIVE_INFINITY };
  else if (amounts[1] && amounts[1].index - first.index < 40) range = { min: Math.min(first.value, amounts[1].value), max: Math.max(first.value, amounts[1].value) };
  else range = { min: first.value, max: first.value };
  return { min: range.min * scale, max: range.max * scale };
}

const STUDENT = /\b(?:student|undergrad(?:uate)?|grad school|enrolled)\b/i;
const NOT_STUDENT = /\bstudent (?:debt|loans?)\b/gi;
export const isStudent = (text: string): boolean => STUDENT.test(text.replace(NOT_STUDENT, ''));

export const isRetired = (lifeStage: string): boolean => /\bretir(?:ed|ee|ees)\b/i.test(lifeStage) && !/\b(?:not|pre-?)\s*retir/i.test(lifeStage);

const EXECUTIVE =
  /\b(?:chief [a-z ]*officer|c[efoitmr]o|ciso|chro|cxo|president|vice[- ]president|s?e?vp|managing director|general counsel|partner|head of)\b/i;
export const isExecutive = (occupation: string): boolean => EXECUTIVE.test(occupation);
export const isFounder = (occupation: string): boolean => /\b(?:founder|co-?founder|owner|self-employed|entrepreneur|startup)\b/i.test(occupation);
const NOT_ACTIVE = /\b(?:retired|former|ex-|emerit|part-time|board|advis|consult)/i;

const LICENSED: { pattern: RegExp; degree: string }[] = [
  { pattern: /\b(?:physician|surgeon|doctor(?!al)|psychiatrist)\b/i, degree: 'MD or DO medical degree' },
  { pattern: /\b(?:lawyer|attorney)\b/i, degree: 'JD (law degree)' },
  { pattern: /\bpharmacist\b/i, degree: 'PharmD' },
  { pattern: /\bdentist\b/i, degree: 'DDS or DMD' },
  { pattern: /\bveterinarian\b/i, degree: 'DVM' },
  { pattern: /\bnurse practitioner\b/i, degree: 'MSN or DNP' },
  { pattern: /\b(?:professor|psychologist)\b/i, degree: 'PhD' },
];

export function licensedDegree(occupation: string): string | null {
  if (/\b(?:assistant|technician|aide|student)\b/i.test(occupation)) return null;
  return LICENSED.find((l) => l.pattern.test(occupation))?.degree ?? null;
}

export function isHighSchoolOnly(education: string): boolean {
  return (
    /\b(?:high school|secondary school|ged|no degree|less)\b/i.test(education) &&
    !/(?:degree|bachelor|master|ph\.?d|doctor|\bjd\b|\bmd\b|pharmd|universit|college|associate|\bbsn\b|\badn\b|\bmba\b|\bdds\b|\bdvm\b|diplom-)/i.test(education)
  );
}

export function hasCompletedDoctorate(education: string): boolean {
  return /\b(?:ph\.?d|doctorate|jd|md|pharmd|edd|dds|dmd|dvm)\b/i.test(education) && !/\b(?:pursuing|enrolled|candidate|student|working toward|some)\b/i.test(education);
}

// ------------------------------------------------------------ the rules

export function checkConsistency(profile: PersonaProfile, guided: GuidedDetails, year: number): ConsistencyIssue[] {
  const d = profile.demographics;
  const issues: ConsistencyIssue[] = [];
  const error = (rule: string, fields: CheckedField[], message: string) => issues.push({ rule, severity: 'error', fields, message });
  const warn = (rule: string, fields: CheckedField[], message: string) => issues.push({ rule, severity: 'warning', fields, message });

  const ages = parseAgeRange(d.age_range);
  if (!ages) error('age_range_format', ['demographics.age_range'], `age range '${d.age_range}' must read as an age range such as '25-34', '65+' or 'in their 30s'`);

  const retired = isRetired(d.life_stage);
  if (ages && retired && ages.max < 50) error('retired_age', ['demographics.age_range', 'demographics.life_stage'], `life stage '${d.life_stage}' is retired but the age range ${d.age_range} ends below 50`);

  const studentField: CheckedField | null = isStudent(d.life_stage) ? 'demographics.life_stage' : isStudent(d.occupation) && !isExecutive(d.occupation) ? 'demographics.occupation' : null;
  if (ages && studentField && ages.min > 40) error('student_age', ['demographics.age_range', studentField], `a student persona needs an age range starting at 40 or younger, got ${d.age_range}`);

  const income = parseIncome(d.income_bracket);
  if (studentField && income && income.min >= 100_000 && !/\b(?:household|family|parents?)\b/i.test(d.income_bracket)) {
    error('student_income', ['demographics.income_bracket', studentField], `a student with an income of ${d.income_bracket} is implausible; give a personal income under $100,000 or say it is the family's`);
  }

  const executive = isExecutive(d.occupation);
  const founder = isFounder(d.occupation);
  if (ages && executive && !founder && ages.max < 30) error('executive_age', ['demographics.age_range', 'demographics.occupation'], `'${d.occupation}' is an executive title but the age range ${d.age_range} ends below 30`);
  if (retired && executive && !NOT_ACTIVE.test(d.occupation)) {
    error('retired_executive', ['demographics.occupation', 'demographics.life_stage'], `life stage '${d.life_stage}' is retired but the occupation '${d.occupation}' is an active executive role (say 'retired' or 'former')`);
  }
  if (isStudent(d.life_stage) && executive && !founder) error('student_executive', ['demographics.life_stage', 'demographics.occupation'], `life stage '${d.life_stage}' is a student's but the occupation '${d.occupation}' is an executive role`);

  const degree = licensedDegree(d.occupation);
  if (degree && isHighSchoolOnly(d.education)) error('licensed_education', ['demographics.education', 'demographics.occupation'], `'${d.occupation}' requires a degree (${degree}), but education is '${d.education}'`);
  if (ages && hasCompletedDoctorate(d.education) && ages.max < 24) error('degree_age', ['demographics.age_range', 'demographics.education'], `education '${d.education}' is a completed doctorate but the age range ${d.age_range} ends below 24`);

  // Checked after the life-stage rules: when both fail, the age is what the caller should look at first.
  if (ages && d.generation) {
    const named = namedGenerations(d.generation, year);
    if (named.length > 0 && !named.some((g) => g.ages.min - GENERATION_SLACK <= ages.max && g.ages.max + GENERATION_SLACK >= ages.min)) {
      const spans = named.map((g) => `${g.name} ${Math.max(0, g.ages.min)}-${g.ages.max}`).join(', ');
      error('generation_age', ['demographics.generation', 'demographics.age_range'], `generation '${d.generation}' does not match age range ${d.age_range} (in ${year}: ${spans})`);
    }
  }

  if (guided.decision_role === 'ECONOMIC_BUYER' && guided.budget_authority && /^\s*(?:none|no\b|n\/a)|\bno (?:budget|authority|signing)/i.test(guided.budget_authority)) {
    error('economic_buyer_budget', ['guided.budget_authority', 'guided.decision_role'], `decision role ECONOMIC_BUYER owns the budget, but budget_authority is '${guided.budget_authority}'`);
  }

  if (executive && isHighSchoolOnly(d.education)) warn('executive_education', ['demographics.education', 'demographics.occupation'], `'${d.occupation}' with a high-school-only education is unusual (allowed)`);
  if (guided.decision_role === 'ECONOMIC_BUYER' && guided.seniority && /\b(?:junior|entry|intern|associate|graduate)\b/i.test(guided.seniority)) {
    warn('junior_economic_buyer', ['guided.seniority', 'guided.decision_role'], `a '${guided.seniority}' economic buyer is unusual (allowed)`);
  }
  return issues;
}

// ------------------------------------------------------------ repair

/** A life stage that fits an age range, without the words the rules look for. */
export function lifeStageForAge(r: Range): string {
  const mid = (r.min + Math.min(r.max, 90)) / 2;
  if (mid < 25) return 'young adult, single, early in working life';
  if (mid < 35) return 'early career, single or partnered';
  if (mid < 50) return 'mid-career, partnered, often with children at home';
  if (mid < 65) return 'established career, children grown or nearly so';
  return 'retired, married or widowed';
}

function fix(field: CheckedField, issue: ConsistencyIssue, profile: PersonaProfile, guided: GuidedDetails, year: number): void {
  const d = profile.demographics;
  const ages = parseAgeRange(d.age_range) ?? { min: 25, max: 54 };
  switch (field) {
    case 'demographics.age_range': {
      let r: Range;
      switch (issue.rule) {
        case 'generation_age': {
          const g = namedGenerations(d.generation ?? '', year)[0];
          r = g ? { min: Math.max(18, g.ages.min), max: Math.max(Math.max(18, g.ages.min) + 5, Math.min(g.ages.max, Math.max(18, g.ages.min) + 15)) } : { min: 25, max: 54 };
          break;
        }
        case 'retired_age':
          r = { min: 65, max: 78 };
          break;
        case 'student_age':
          r = { min: 18, max: 24 };
          break;
        case 'executive_age':
          r = { min: 38, max: 58 };
          break;
        case 'degree_age':
          r = { min: 30, max: 55 };
          break;
        default:
          r = { min: 25, max: 54 };
      }
      d.age_range = formatAgeRange(r);
      if (d.generation !== undefined) d.generation = generationsFor(r, year);
      return;
    }
    case 'demographics.generation':
      d.generation = generationsFor(ages, year);
      return;
    case 'demographics.life_stage':
      d.life_stage = lifeStageForAge(ages);
      return;
    case 'demographics.occupation':
      if (issue.rule === 'retired_executive') d.occupation = `retired ${d.occupation}`;
      else if (issue.rule === 'student_executive') d.occupation = 'full-time student';
      else if (issue.rule === 'student_age' || issue.rule === 'student_income') d.occupation = ages.max < 30 ? 'early-career professional' : 'working professional';
      else if (issue.rule === 'executive_age') d.occupation = 'early-career professional';
      else d.occupation = 'working professional';
      return;
    case 'demographics.income_bracket':
      d.income_bracket = 'under $25,000 personal income';
      return;
    case 'demographics.education':
      if (issue.rule === 'licensed_education') d.education = licensedDegree(d.occupation) ?? "bachelor's degree";
      else if (issue.rule === 'degree_age') d.education = 'high school diploma, some college';
      else d.education = "bachelor's degree";
      return;
    case 'guided.budget_authority':
      guided.budget_authority = 'owns the budget for this purchase';
      return;
    case 'guided.decision_role':
      guided.decision_role = 'INFLUENCER';
      return;
    case 'guided.seniority':
      delete guided.seniority;
      return;
  }
}

export interface RepairResult {
  /** Errors that remain because every field in conflict was given by the caller. */
  unrepairable: ConsistencyIssue[];
  warnings: ConsistencyIssue[];
  /** Fields re-derived, in order. */
  repaired: { field: CheckedField; rule: string }[];
}

/**
 * Re-derives fields until the profile is consistent. `given` are fields the
 * caller supplied (never changed); `anchored` are fields derived from explicit
 * words in the name/description (changed only when nothing else can be).
 * Mutates `profile` and `guided`.
 */
export function repairProfile(profile: PersonaProfile, guided: GuidedDetails, year: number, given: ReadonlySet<CheckedField>, anchored: ReadonlySet<CheckedField> = new Set()): RepairResult {
  const repaired: RepairResult['repaired'] = [];
  const touched = new Map<CheckedField, number>();
  for (let round = 0; round < 12; round++) {
    const issues = checkConsistency(profile, guided, year);
    const errors = issues.filter((i) => i.severity === 'error');
    const unrepairable: ConsistencyIssue[] = [];
    let changed = false;
    for (const issue of errors) {
      const free = issue.fields.filter((f) => !given.has(f));
      // Prefer a field nobody asked for, and one not already re-derived twice (no ping-pong).
      const field = free.find((f) => !anchored.has(f) && (touched.get(f) ?? 0) < 2) ?? free.find((f) => (touched.get(f) ?? 0) < 3);
      if (!field) {
        unrepairable.push(issue);
        continue;
      }
      fix(field, issue, profile, guided, year);
      touched.set(field, (touched.get(field) ?? 0) + 1);
      repaired.push({ field, rule: issue.rule });
      changed = true;
      break; // re-check from scratch: one fix may resolve (or cause) others
    }
    if (!changed) return { unrepairable, warnings: issues.filter((i) => i.severity === 'warning'), repaired };
  }
  const issues = checkConsistency(profile, guided, year);
  return { unrepairable: issues.filter((i) => i.severity === 'error'), warnings: issues.filter((i) => i.severity === 'warning'), repaired };
}
