/**
 * The study builder's form state and its translation into the body of
 * POST /v1/focus-groups. Lists are edited as rows of text; numbers as text
 * until sent. Errors name the place in the form as the API would name its
 * param (`questions[2].options`), so a fix is one click away.
 */
import type { QuestionType, StudyQuestion, When } from '../../../api/focus-groups';

export interface ConditionDraft {
  questionId: string;
  op: 'equals' | 'not_equals' | 'in' | 'gt' | 'gte' | 'lt' | 'lte' | 'includes';
  value: string;
}

export interface QuestionDraft {
  key: number;
  id: string;
  type: QuestionType;
  text: string;
  options: string[];
  multiple: boolean;
  maxChoices: string;
  allowOther: boolean;
  scale: string;
  labels: string[];
  min: string;
  max: string;
  rows: string[];
  left: string;
  right: string;
  attributes: { name: string; levels: string[] }[];
  profiles: Record<string, string>[];
  allowNone: boolean;
  setSize: string;
  reference: string;
  when: ConditionDraft | null;
}

export interface PersonaRow {
  key: number;
  personaId: string;
  respondents: string;
}

export interface TargetRow {
  key: number;
  dimension: string;
  /** "category = share" per line. */
  shares: string;
}

export interface StudyDraft {
  name: string;
  personas: PersonaRow[];
  questions: QuestionDraft[];
  stimulusText: string;
  stimulusImages: string[];
  instructions: string;
  seed: string;
  temperature: string;
  targets: TargetRow[];
}

let nextKey = 1;
export const newKey = () => nextKey++;

export function newQuestion(type: QuestionType, index: number): QuestionDraft {
  return {
    key: newKey(),
    id: `q${index + 1}`,
    type,
    text: '',
    options: type === 'maxdiff' ? ['', '', '', ''] : ['', '', ''],
    multiple: false,
    maxChoices: '',
    allowOther: false,
    scale: type === 'semantic_differential' ? '7' : '5',
    labels: [],
    min: type === 'slider' ? '0' : '1',
    max: type === 'slider' ? '100' : '10',
    rows: ['', ''],
    left: '',
    right: '',
    attributes: [
      { name: '', levels: ['', ''] },
      { name: '', levels: ['', ''] },
    ],
    profiles: [{}, {}],
    allowNone: false,
    setSize: '',
    reference: '',
    when: null,
  };
}

export function emptyDraft(): StudyDraft {
  return {
    name: '',
    personas: [{ key: newKey(), personaId: '', respondents: '20' }],
    questions: [newQuestion('nps', 0)],
    stimulusText: '',
    stimulusImages: [],
    instructions: '',
    seed: '',
    temperature: '',
    targets: [],
  };
}

export class DraftError extends Error {
  constructor(
    message: string,
    /** The API-style path of the field: `questions[1].options`. */
    readonly path: string,
  ) {
    super(message);
  }
}

const clean = (xs: string[]) => xs.map((x) => x.trim()).filter(Boolean);

function int(text: string, path: string, what: string): number {
  const n = Number(text);
  if (!text.trim() || !Number.isInteger(n)) throw new DraftError(`${what} must be a whole number.`, path);
  return n;
}

/** Questions whose answers a condition can test, and how (as the server's skip logic). */
export function conditionKind(type: QuestionType): 'number' | 'boolean' | 'choice' | 'none' {
  if (['nps', 'likert', 'rating', 'slider', 'semantic_differential'].includes(type)) return 'number';
  if (type === 'yes_no') return 'boolean';
  if (['multiple_choice', 'conjoint', 'ranking'].includes(type)) return 'choice';
  return 'none';
}

export const OPERATORS: Record<'number' | 'boolean' | 'choice', ConditionDraft['op'][]> = {
  number: ['gte', 'gt', 'lte', 'lt', 'equals', 'not_equals', 'in'],
  boolean: ['equals', 'not_equals'],
  choice: ['equals', 'not_equals', 'in', 'includes'],
};

function condition(c: ConditionDraft, target: QuestionDraft | undefined, path: string): When {
  if (!target) throw new DraftError('Choose an earlier question for the condition.', `${path}.question_id`);
  const kind = conditionKind(target.type);
  const value = c.value.trim();
  if (!value) throw new DraftError('Give the value the condition compares with.', `${path}.${c.op}`);
  const scalar = (v: string): string | number | boolean => {
    if (kind === 'boolean') {
      if (!/^(yes|no|true|false)$/i.test(v)) throw new DraftError('A yes/no condition compares with yes or no.', `${path}.${c.op}`);
      return /^(yes|true)$/i.test(v);
    }
    if (kind === 'number') {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new DraftError(`'${v}' is not a number.`, `${path}.${c.op}`);
      return n;
    }
    return v;
  };
  if (c.op === 'in') {
    const values = value.split(',').map((v) => scalar(v.trim()));
    return { question_id: target.id.trim(), in: values.filter((v): v is string | number => typeof v !== 'boolean') };
  }
  return { question_id: target.id.trim(), [c.op]: scalar(value) } as When;
}

function question(d: QuestionDraft, i: number, all: QuestionDraft[]): StudyQuestion {
  const path = `questions[${i}]`;
  if (!d.text.trim()) throw new DraftError('Write the question.', `${path}.text`);
  const q: Record<string, unknown> = { type: d.type, text: d.text.trim() };
  if (d.id.trim()) q.id = d.id.trim();
  switch (d.type) {
    case 'multiple_choice':
    case 'ranking':
    case 'maxdiff': {
      const options = clean(d.options);
      const min = d.type === 'maxdiff' ? 3 : 2;
      if (options.length < min) throw new DraftError(`Give at least ${min} options.`, `${path}.options`);
      q.options = options;
      if (d.type === 'multiple_choice') {
        if (d.multiple) q.multiple = true;
        if (d.multiple && d.maxChoices.trim()) q.max_choices = int(d.maxChoices, `${path}.max_choices`, 'Max choices');
        if (d.allowOther) q.allow_other = true;
      }
      if (d.type === 'maxdiff' && d.setSize.trim()) q.set_size = int(d.setSize, `${path}.set_size`, 'Set size');
      break;
    }
    case 'likert':
    case 'semantic_differential':
    case 'matrix': {
      q.scale = int(d.scale, `${path}.scale`, 'Scale');
      const labels = clean(d.labels);
      if (labels.length > 0 && d.type !== 'semantic_differential') q.labels = labels;
      if (d.type === 'semantic_differential') {
        if (!d.left.trim() || !d.right.trim()) throw new DraftError('Give both poles.', `${path}.${d.left.trim() ? 'right' : 'left'}`);
        q.left = d.left.trim();
        q.right = d.right.trim();
      }
      if (d.type === 'matrix') {
        const rows = clean(d.rows);
        if (rows.length < 1) throw new DraftError('Give at least one row.', `${path}.rows`);
        q.rows = rows;
      }
      break;
    }
    case 'rating':
    case 'slider': {
      q.min = int(d.min, `${path}.min`, 'Min');
      q.max = int(d.max, `${path}.max`, 'Max');
      if ((q.max as number) <= (q.min as number)) throw new DraftError('Max must be above min.', `${path}.max`);
      break;
    }
    case 'conjoint': {
      const attributes = d.attributes.map((a, j) => {
        const name = a.name.trim();
        if (!name) throw new DraftError('Name the attribute.', `${path}.attributes[${j}].name`);
        const levels = clean(a.levels);
        if (levels.length < 2) throw new DraftError('Give at least 2 levels.', `${path}.attributes[${j}].levels`);
        return { name, levels };
      });
      if (attributes.length < 1) throw new DraftError('Give at least one attribute.', `${path}.attributes`);
      q.attributes = attributes;
      q.profiles = d.profiles.map((p, k) => {
        const levels: Record<string, string> = {};
        attributes.forEach((a, j) => {
          const v = p[d.attributes[j]!.name] ?? '';
          if (!a.levels.includes(v)) throw new DraftError(`Choose a level of ${a.name} for profile ${k + 1}.`, `${path}.profiles[${k}].levels`);
          levels[a.name] = v;
        });
        return { levels };
      });
      if ((q.profiles as unknown[]).length < 2) throw new DraftError('Give at least 2 profiles.', `${path}.profiles`);
      if (d.allowNone) q.allow_none = true;
      break;
    }
    default:
      break;
  }
  if (d.reference.trim()) {
    const shares = d.reference.split(',').map((x) => Number(x.trim()));
    if (shares.some((x) => !Number.isFinite(x) || x < 0)) throw new DraftError('The reference distribution is shares (or counts) separated by commas.', `${path}.reference`);
    q.reference = shares;
  }
  if (d.when) {
    const target = all.slice(0, i).find((x) => x.id.trim() === d.when!.questionId);
    q.when = condition(d.when, target, `${path}.when`);
  }
  return q as unknown as StudyQuestion;
}

function targets(rows: TargetRow[]): Record<string, Record<string, number>> | undefined {
  if (rows.length === 0) return undefined;
  const out: Record<string, Record<string, number>> = {};
  rows.forEach((r, i) => {
    const dim = r.dimension.trim();
    if (!dim) throw new DraftError('Choose the dimension.', `targets[${i}]`);
    const shares: Record<string, number> = {};
    for (const line of r.shares.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const m = /^(.+?)\s*[=:]\s*([\d.]+)\s*(%?)$/.exec(line);
      if (!m) throw new DraftError(`Write each target as "category = share", e.g. "25-34 = 0.3" (got "${line}").`, `targets.${dim}`);
      shares[m[1]!] = Number(m[2]) / (m[3] ? 100 : 1);
    }
    if (Object.keys(shares).length < 2) throw new DraftError('Give the shares of at least two categories.', `targets.${dim}`);
    out[dim] = shares;
  });
  return out;
}

/** The request body; `withTargets` only when the server accepts target marginals. */
export function buildStudyRequest(d: StudyDraft, options: { withTargets: boolean }): Record<string, unknown> {
  if (!d.name.trim()) throw new DraftError('Name the study.', 'name');
  const personas = d.personas.map((p, i) => {
    if (!p.personaId) throw new DraftError('Choose a persona.', `personas[${i}].persona_id`);
    const n = int(p.respondents, `personas[${i}].respondents`, 'Respondents');
    if (n < 1) throw new DraftError('At least one respondent.', `personas[${i}].respondents`);
    return { persona_id: p.personaId, respondents: n };
  });
  if (personas.length === 0) throw new DraftError('Add a persona.', 'personas');
  if (d.questions.length === 0) throw new DraftError('Add a question.', 'questions');
  const body: Record<string, unknown> = { name: d.name.trim(), personas, questions: d.questions.map((q, i) => question(q, i, d.questions)) };
  const images = d.stimulusImages.map((x) => x.trim()).filter(Boolean);
  if (d.stimulusText.trim() || images.length > 0) body.stimulus = { ...(d.stimulusText.trim() ? { text: d.stimulusText.trim() } : {}), ...(images.length ? { images } : {}) };
  if (d.instructions.trim()) body.instructions = d.instructions.trim();
  if (d.seed.trim()) body.seed = int(d.seed, 'seed', 'Seed');
  if (d.temperature.trim()) {
    const t = Number(d.temperature);
    if (!Number.isFinite(t) || t < 0 || t > 2) throw new DraftError('Temperature is a number from 0 to 2.', 'temperature');
    body.temperature = t;
  }
  if (options.withTargets) {
    const t = targets(d.targets);
    if (t) body.targets = t;
  }
  return body;
}
