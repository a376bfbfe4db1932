/**
 * How a discussion study's respondents are seated: consecutive indexes, in
 * ceil(n / session_size) sessions as equal as possible (sizes differ by at
 * most one, the larger first). The persona assignment (../sample.ts) is a
 * weighted round-robin over indexes, so every session mixes the personas.
 */
export const DEFAULT_SESSION_SIZE = 6;
export const MIN_SESSION_SIZE = 4;
export const MAX_SESSION_SIZE = 12;

export interface Session {
  index: number;
  /** The first respondent index; the members are first … first + size − 1. */
  first: number;
  size: number;
}

export function sessionsOf(respondents: number, sessionSize: number): Session[] {
  const count = Math.max(1, Math.ceil(respondents / sessionSize));
  const base = Math.floor(respondents / count);
  const extra = respondents % count;
  return Array.from({ length: count }, (_, s) => ({ index: s, first: s * base + Math.min(s, extra), size: base + (s < extra ? 1 : 0) }));
}

export const membersOf = (s: Session): number[] => Array.from({ length: s.size }, (_, i) => s.first + i);

/**
 * The respondent indexes that start work still to do: the first member of each session
 * with a member not completed (a session is one unit of work, run from its first index).
 */
export function openSessionStarts(respondents: number, sessionSize: number, completed: ReadonlySet<number>): Set<number> {
  return new Set(
    sessionsOf(respondents, sessionSize)
      .filter((x) => membersOf(x).some((i) => !completed.has(i)))
      .map((x) => x.first),
  );
}
