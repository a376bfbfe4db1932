/**
 * What one attempt draws from the request besides the schema: the answer's
 * sentences in turn (a later attempt starts from another, so a retry is not a
 * copy), plausible names (the same for every field of the n-th array item,
 * never the persona's label), the numbers of the message not yet used.
 */
import { capitalize } from '../../language.js';
import type { Rng } from '../../seed.js';
import type { Where } from '../core/context.js';
import type { InstanceHints } from '../hints.js';
import { keyWords, singular, THING_PARENTS } from './keys.js';

const PERSON_NAMES = ['Jordan Lee', 'Priya Sharma', 'Alex Morgan', 'Sam Rivera', 'Taylor Kim', 'Maya Chen', 'Chris Okafor', 'Lena Fischer', 'Diego Alvarez', 'Aisha Khan'];
export const THING_SUFFIXES = ['Plus', 'Pro', 'Go', 'One', 'Lite', 'Max', 'Studio', 'Hub'];

export class HintSource {
  private sentenceCursor: number;
  /** Numbers of the message already given to a property. */
  readonly usedNumbers = new Set<number>();

  constructor(
    readonly hints: InstanceHints,
    private readonly rng: Rng,
    attempt: number,
  ) {
    this.sentenceCursor = attempt;
  }

  nextSentence(offset = 0): string {
    const list = this.hints.sentences;
    const s = list[(this.sentenceCursor + offset) % list.length] ?? this.hints.answer;
    this.sentenceCursor++;
    return s;
  }

  /** A plausible personal name (never the persona's label); the same for every field of the n-th array item. */
  plausibleName(w: Where): string {
    const base = this.rng.fork('names').int(0, PERSON_NAMES.length - 1);
    return PERSON_NAMES[(base + (w.index ?? 0)) % PERSON_NAMES.length] as string;
  }

  personName(w: Where): string {
    const persona = this.hints.persona;
    const parent = keyWords(w.parent);
    const thingParent = parent.some((x) => THING_PARENTS.has(singular(x) ?? x));
    if (thingParent) return `${capitalize(this.hints.keywords[(w.index ?? 0) % Math.max(1, this.hints.keywords.length)] ?? 'Sample')} ${THING_SUFFIXES[(w.index ?? 0) % THING_SUFFIXES.length]}`;
    if (persona && w.index === undefined) return persona.name;
    return this.plausibleName(w);
  }
}
