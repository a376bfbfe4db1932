/**
 * One moderated session of a discussion study (mode: "discussion"): its
 * members answer the guide together. For each question the moderator asks
 * (./moderator.ts), each member answers in turn under the question type's
 * strict schema, seeing the transcript so far; where the answers diverge
 * (./divergence.ts) the moderator probes once and each member answers again.
 * A member's position on the question — what results and statistics read,
 * stored as its answer like a survey's — is its answer after the probe, or
 * its only answer.
 *
 * Checkpoints: every turn is stored as it lands (store.recordTurn), every
 * position as an answer (store.recordAnswer, which debits a live key). A turn's
 * model call is paid with its member's position: the position's credits and
 * tokens are those of the member's answer plus its probe answer, so each model
 * call is debited exactly once. A session picked up after a crash replays its
 * stored turns in order (the moderator's are templates, so the order is the
 * same) and asks only what is missing; a position whose turns are stored but
 * which was not recorded is recorded from them.
 */
import type { PersonaRecord } from '../../personas/persona-schema.js';
import type { ObjectRequest } from '../../structured/generate-object.js';
import type { AnswerToRecord, FocusGroupsStore, RecordOutcome, StoredTurn } from '../../storage/focus-groups-store.js';
import type { Answer } from '../answer-types.js';
import { respondentSystemPrompt } from '../prompts.js';
import { typeOf, type Question } from '../questions/registry.js';
import { traitsOf } from '../respondent-profile.js';
import { sampleProfile } from '../sample.js';
import { conditionHolds } from '../skip-logic.js';
import type { StudyRecord } from '../study.js';
import { diverges } from './divergence.js';
import { discussionNote, moderatorAsks, moderatorProbes, positionText, turnMessage, type Turn, type TurnKind } from './moderator.js';
import { membersOf, type Session } from './sessions.js';

/** The base fields of an answer row. */
export type AnswerBase = Pick<AnswerToRecord, 'study_id' | 'respondent_index' | 'question_index' | 'question_id' | 'type' | 'created_at'>;

/** What the runner lends a session. */
export interface SessionHooks {
  store: FocusGroupsStore;
  study: StudyRecord;
  personas: PersonaRecord[];
  personaPrompts: string[];
  assignment: Uint8Array;
  images: string[];
  signal: AbortSignal;
  maxOutputTokens: number;
  now(): number;
  /** One question asked (with the runner's retries): an answered or a failed answer row, not yet recorded. */
  answer(q: Question, request: ObjectRequest, base: AnswerBase): Promise<AnswerToRecord>;
  record(answer: AnswerToRecord, personaId: string): Promise<RecordOutcome>;
  /** The study stopped, failed or was lost (queue lease): stop asking. */
  halted(): boolean;
  notify(): void;
}

type TurnBody = Pick<StoredTurn, 'text' | 'value' | 'raw' | 'credits' | 'input_tokens' | 'output_tokens'>;
const MODERATOR: Omit<TurnBody, 'text'> = { value: null, raw: null, credits: 0, input_tokens: 0, output_tokens: 0 };
const PROBE_SEED = 15_485_863;

/** Runs (or resumes) a session; returns false when it stopped before the end. */
export async function runDiscussionSession(h: SessionHooks, session: Session): Promise<boolean> {
  const s = h.study;
  const def = s.definition;
  const members = membersOf(session);
  const persona = (i: number) => h.personas[h.assignment[i]!]!;
  const profiles = new Map<number, Awaited<ReturnType<FocusGroupsStore['startRespondent']>>>();
  for (const i of members) profiles.set(i, await h.store.startRespondent(s.id, i, persona(i).id, sampleProfile(persona(i), def.seed, i)));
  const names = new Map(members.map((i) => [i, profiles.get(i)!.profile.name] as const));
  const systems = new Map(
    members.map((i) => [
      i,
      respondentSystemPrompt(h.personaPrompts[h.assignment[i]!]!, profiles.get(i)!.profile, def) +
        discussionNote(
          names.get(i)!,
          members.filter((j) => j !== i).map((j) => names.get(j)!),
        ),
    ]),
  );
  const rows = new Map<string, AnswerToRecord>();
  for (const i of members) for (const a of await h.store.answersOf(s.id, i)) rows.set(`${i}:${a.question_index}`, a);
  let stored = await h.store.turns(s.id, session.index, session.index);
  const transcript: Turn[] = [];
  const values = new Map<number, Map<string, number | boolean | string[]>>(members.map((i) => [i, new Map()]));
  const total = def.questions.length;
  const workspace = { id: s.workspaceId, ...(def.workspace_name !== undefined ? { name: def.workspace_name } : {}) };

  /** The stored turn at the next seq, if it is this one; another one there is a broken transcript. */
  const storedNext = (kind: TurnKind, respondent: number | null, optional = false): StoredTurn | undefined => {
    const t = stored[transcript.length];
    if (!t || (t.kind === kind && t.respondent_idx === respondent)) return t;
    if (optional) return undefined;
    throw new Error(`focus group ${s.id} session ${session.index}: stored turn ${transcript.length} is ${t.kind} of ${t.respondent_idx}, expected ${kind} of ${respondent}`);
  };
  /** Stores a new turn at the next seq; null when the study stopped. */
  const put = async (kind: TurnKind, qi: number, respondent: number | null, body: TurnBody): Promise<StoredTurn | null> => {
    const t: StoredTurn = { study_id: s.id, session_idx: session.index, seq: transcript.length, question_idx: qi, kind, respondent_idx: respondent, created_at: h.now(), ...body };
    const outcome = await h.store.recordTurn(t);
    if (outcome === 'stopped') return null;
    if (outcome === 'duplicate') {
      // Another run of this session stored it meanwhile: continue from what is stored.
      stored = await h.store.turns(s.id, session.index, session.index);
      return stored[t.seq] ?? null;
    }
    return t;
  };
  const push = (t: StoredTurn) => transcript.push({ kind: t.kind as TurnKind, question_index: t.question_idx, respondent_index: t.respondent_idx, text: t.text });
  const base = (i: number, qi: number, q: Question): AnswerBase => ({ study_id: s.id, respondent_index: i, question_index: qi, question_id: q.id, type: q.type, created_at: h.now() });
  const request = (i: number, qi: number, q: Question, probe?: string): ObjectRequest => ({
    system: systems.get(i)!,
    persona: persona(i),
    items: [turnMessage({ q, index: qi, total, transcript, names, self: i, ...(probe !== undefined ? { probe } : {}), images: qi === 0 && probe === undefined ? h.images : [] })],
    sampling: {
      ...(def.temperature !== undefined ? { temperature: def.temperature } : {}),
      seed: (def.seed + i * 7919 + qi * 104_729 + (probe !== undefined ? PROBE_SEED : 0)) % 2_147_483_647,
      maxOutputTokens: h.maxOutputTokens,
    },
    workspace,
    respondent: { traits: traitsOf(profiles.get(i)!.profile), ...(def.stimulus?.text ? { context: def.stimulus.text } : {}) },
  });
  const recordRow = async (row: AnswerToRecord): Promise<boolean> => {
    if ((await h.record(row, persona(row.respondent_index).id)) === 'stopped') return false;
    rows.set(`${row.respondent_index}:${row.question_index}`, row);
    return true;
  };
  const remember = (i: number, q: Question, value: unknown) => {
    const t = typeOf(q);
    if (t.conditionValue) values.get(i)!.set(q.id, t.conditionValue(q as never, value as never));
  };
  const body = (q: Question, a: AnswerToRecord): TurnBody => ({ text: positionText(q, a.value as Answer), value: a.value, raw: a.raw, credits: a.credits, input_tokens: a.input_tokens, output_tokens: a.output_tokens });

  for (let qi = 0; qi < total; qi++) {
    if (h.halted()) return false;
    const q = def.questions[qi]!;
    const asked = storedNext('question', null) ?? (await put('question', qi, null, { text: moderatorAsks(q, qi, total), ...MODERATOR }));
    if (!asked) return false;
    push(asked);

    // Each member in turn, seeing the transcript so far.
    const first: Array<{ i: number; turn: StoredTurn }> = [];
    for (const i of members) {
      if (h.halted()) return false;
      const row = rows.get(`${i}:${qi}`);
      if (row && row.status !== 'answered') continue;
      let t = storedNext('answer', i, true);
      if (!t) {
        if (q.when && !conditionHolds(q.when, values.get(i)!.get(q.when.question_id))) {
          const skipped: AnswerToRecord = { ...base(i, qi, q), status: 'skipped', value: null, reasoning: null, raw: null, credits: 0, input_tokens: 0, output_tokens: 0, attempts: 0, error: null };
          if (!(await recordRow(skipped))) return false;
          continue;
        }
        const a = await h.answer(q, request(i, qi, q), base(i, qi, q));
        if (h.signal.aborted) return false;
        if (a.status !== 'answered') {
          if (!(await recordRow(a))) return false;
          continue;
        }
        const made = await put('answer', qi, i, body(q, a));
        if (!made) return false;
        t = made;
      }
      push(t);
      first.push({ i, turn: t });
    }

    // Diverging answers: one probe, and each member answers again.
    const probed = first.length >= 2 && diverges(q, first.map((f) => f.turn.value as Answer));
    let probe: StoredTurn | null | undefined;
    if (probed) {
      probe = storedNext('probe', null) ?? (await put('probe', qi, null, { text: moderatorProbes(q, first.map((f) => ({ name: names.get(f.i)!, value: f.turn.value as Answer }))), ...MODERATOR }));
      if (!probe) return false;
      push(probe);
    }
    for (const f of first) {
      if (h.halted()) return false;
      const key = `${f.i}:${qi}`;
      let again: StoredTurn | undefined;
      if (probe) {
        again = storedNext('probe_answer', f.i, true);
        if (!again && !rows.has(key)) {
          const a = await h.answer(q, request(f.i, qi, q, probe.text), base(f.i, qi, q));
          if (h.signal.aborted) return false;
          // A probe that failed leaves the first answer as the position.
          if (a.status === 'answered') {
            const made = await put('probe_answer', qi, f.i, body(q, a));
            if (!made) return false;
            again = made;
          }
        }
        if (again) push(again);
      }
      if (!rows.has(key)) {
        const last = again ?? f.turn;
        const value = last.value as Answer;
        const position: AnswerToRecord = {
          ...base(f.i, qi, q),
          status: 'answered',
          value,
          reasoning: (value as { reasoning?: string }).reasoning ?? '',
          raw: last.raw,
          credits: f.turn.credits + (again?.credits ?? 0),
          input_tokens: f.turn.input_tokens + (again?.input_tokens ?? 0),
          output_tokens: f.turn.output_tokens + (again?.output_tokens ?? 0),
          attempts: again ? 2 : 1,
          error: null,
        };
        if (!(await recordRow(position))) return false;
      }
      remember(f.i, q, rows.get(key)!.value);
    }
  }
  if (h.halted()) return false;
  for (const i of members) await h.store.completeRespondent(s.id, i);
  h.notify();
  return true;
}
