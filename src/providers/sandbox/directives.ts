/**
 * What `instructions` (and the message itself) ask of an answer's form that
 * the sandbox can honour exactly: a length ("in one sentence", "under 50
 * words", "briefly"), bullet points or a list ("three bullet points"), a
 * number on a scale ("give a number from 1 to 10", "just the number"), a
 * yes or no first, and JSON when it is asked for without a schema.
 */
import { numberWord, readScale, type Scale } from './question.js';

export interface Directives {
  /** At most this many sentences. */
  sentences?: number;
  /** At most this many words. */
  maxWords?: number;
  /** Bullet points: how many (0 = as many as the answer has). */
  bullets?: number;
  /** A numbered list rather than bullets. */
  numbered?: boolean;
  /** A number on this scale is wanted. */
  scale?: Scale;
  /** Only the number (or only the option, only yes/no): nothing else. */
  only?: boolean;
  /** Start with a plain yes or no. */
  yesNo?: boolean;
  /** The whole answer as a JSON object. */
  json?: boolean;
}

const COUNT = '(\\d+|one|two|three|four|five|six|seven|eight|nine|ten|a few|a couple of)';

/** Reads the form directives of `instructions` and then of the message (the message wins where both speak). */
export function readDirectives(instructions: string, message: string): Directives {
  const out: Directives = {};
  for (const text of [instructions, message]) {
    if (!text) continue;
    const t = text.replace(/\s+/g, ' ');
    const sentences = new RegExp(`\\b(?:in|with|using|use|as|within|keep it to|limit (?:it|yourself|your answer) to|answer in|reply in|respond in|no more than|at most|max(?:imum)?(?: of)?) (?:just |only |exactly |a single |one single )?${COUNT} (?:short |brief |full |complete )?sentences?\\b`, 'i').exec(t);
    if (sentences) out.sentences = Math.max(1, numberWord(sentences[1] ?? '') ?? 1);
    else if (/\b(?:in|with|as|answer in|reply in|respond in|use) (?:a )?(?:single|one) (?:short |brief )?sentence\b|\bone[- ]sentence\b|\bone-liner\b|\bone line\b/i.test(t)) out.sentences = 1;
    const words = /\b(?:under|fewer than|less than|no more than|at most|max(?:imum)?(?: of)?|within|up to|in|limit(?:ed)? to|keep it (?:under|to|below)|below)\s+(\d{1,4})\s+words?\b|\b(\d{1,4})\s+words? (?:or less|or fewer|max(?:imum)?|at most|tops)\b|\b(\d{1,4})[- ]word\b/i.exec(t);
    if (words) out.maxWords = Math.max(1, Number(words[1] ?? words[2] ?? words[3]) - (/\b(?:under|fewer than|less than|below)\b/i.test(words[0]) ? 1 : 0));
    if (/\b(?:be (?:brief|concise|short)|briefly|keep it (?:short|brief)|short answer|concise(?:ly)?|tl;?dr)\b/i.test(t) && out.sentences === undefined && out.maxWords === undefined) out.sentences = 2;
    const bullets = new RegExp(`\\b${COUNT} (?:short )?(?:bullet(?:ed)?(?: points?)?|bullets|points|numbered (?:items|points)|list items)\\b`, 'i').exec(t);
    if (bullets) out.bullets = numberWord(bullets[1] ?? '') ?? 3;
    else if (/\b(?:bullet(?:ed)? points?|bullets|bullet list|as a list|in a list|list format|numbered list|as a numbered list|use a list)\b/i.test(t)) out.bullets = out.bullets ?? 0;
    if (/\bnumbered\b/i.test(t)) out.numbered = true;
    const scale = /\b(?:number|score|rating|rate|scale|grade)\b/i.test(t) ? readScale(t) : undefined;
    if (scale && /\b(?:give|answer|reply|respond|with|rate|score|as|on|a number|pick)\b/i.test(t)) out.scale = scale;
    if (/\b(?:just|only) (?:the|a|one) (?:number|score|rating|digit|option|choice|word)\b|\b(?:answer|reply|respond) with (?:only |just )?(?:a|the|one) (?:number|digit|single number|single word)\b|\bnothing (?:else|but the number)\b|\bno (?:explanation|other text)\b/i.test(t)) out.only = true;
    if (/\b(?:answer|reply|respond|start) (?:with )?(?:a )?(?:simple |plain )?(?:yes or no|yes\/no|"yes" or "no")\b|\byes or no\s*[:?.]|\byes\/no\b/i.test(t)) out.yesNo = true;
    if (/\b(?:as|in|with|return|output|respond in|reply in|answer in|format(?:ted)? as|give me) (?:a |an |valid |raw )?json\b|\bjson (?:object|format|only)\b/i.test(t) && !/^reply with a json object: "reasoning" first/im.test(t)) out.json = true;
  }
  return out;
}
