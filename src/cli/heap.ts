/**
 * How a server process's V8 heap grows: by half of what a full collection left alive,
 * instead of V8's own factor of up to 4 (on a machine with a large heap limit it picks 4
 * whenever collecting looks cheap — after startup, between bursts). A focus-group study
 * keeps each respondent's conversation across its answers, so most of what it allocates
 * outlives the young generation and dies in the old one: with V8's factor the old
 * generation filled with that garbage up to 4 × the ~50 MB the server holds before it was
 * collected (a 10,000-respondent sandbox study peaked at 310–330 MB RSS); with 1.5 × it is
 * collected at ~75 MB (the same study peaks at ~200 MB) for a full collection every few
 * seconds of a busy study (~20–40 ms each). docs/operations.md, "Memory".
 *
 * Set at run time (v8.setFlagsFromString), by `cohort serve` and `cohort worker` — so it
 * holds however the server is started; V8 reads this flag at every full collection. A
 * `--heap-growing-percent` on node's own command line wins (0 gives V8's own factor back).
 */
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/** Sets the heap growing factor unless node was started with one; returns the percent in force (undefined: V8's own). */
export function tuneHeapGrowth(execArgv: readonly string[] = process.execArgv): number | undefined {
  const given = execArgv.find((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a));
  if (given !== undefined) {
    const percent = Number(given.split('=')[1]);
    return Number.isFinite(percent) && percent > 0 ? percent : undefined;
  }
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return HEAP_GROWING_PERCENT;
}
