/**
 * Ranking questions: each respondent orders the options, best first (a partial ranking —
 * the top few — is allowed). Per option: the mean rank among the respondents who ranked it
 * (with its sd and t-interval), the share ranking it first, the distribution of its ranks,
 * and its Borda count: with m options, rank r earns m − r points (m − 1 for first, 0 for
 * last) and an unranked option earns 0 (de Borda 1781; the usual rule for truncated
 * ballots). `borda` is the mean points per respondent, `borda_share` the option's share of
 * all points. Unknown options and repeats in an order are ignored (the service validates
 * answers before they get here).
 */
import { distributionMean, distributionSampleSd } from './discrete-distribution.js';
import { tInterval } from './intervals.js';

export interface RankingTally {
  readonly options: readonly string[];
  /** Respondents who answered. */
  n: number;
  sumW: number;
  sumW2: number;
  /** positions[o][r]: weighted count of option o at rank r + 1. */
  readonly positions: Float64Array[];
  /** Unweighted counts of the same. */
  readonly rawPositions: Float64Array[];
  /** Per option: Σw and Σw² of the respondents who ranked it. */
  readonly rankedW: Float64Array;
  readonly rankedW2: Float64Array;
  readonly borda: Float64Array;
}

export function createRankingTally(options: readonly string[]): RankingTally {
  const m = options.length;
  return {
    options,
    n: 0,
    sumW: 0,
    sumW2: 0,
    positions: options.map(() => new Float64Array(m)),
    rawPositions: options.map(() => new Float64Array(m)),
    rankedW: new Float64Array(m),
    rankedW2: new Float64Array(m),
    borda: new Float64Array(m),
  };
}

/** The option indexes of an order, unknown options and repeats dropped. */
export function rankedIndexes(order: readonly string[], index: ReadonlyMap<string, number>): Int32Array {
  const seen = new Set<number>();
  for (const option of order) {
    const o = index.get(option);
    if (o !== undefined) seen.add(o);
  }
  return Int32Array.from(seen);
}

/** Adds one respondent's ranking: option indexes, best first (see rankedIndexes). */
export function addRanking(tally: RankingTally, order: ArrayLike<number>, weight = 1): void {
  const m = tally.options.length;
  for (let rank = 0; rank < order.length; rank++) {
    const o = order[rank]!;
    tally.positions[o]![rank]! += weight;
    tally.rawPositions[o]![rank]! += 1;
    tally.rankedW[o]! += weight;
    tally.rankedW2[o]! += weight * weight;
    tally.borda[o]! += weight * (m - 1 - rank);
  }
  tally.n++;
  tally.sumW += weight;
  tally.sumW2 += weight * weight;
}

/** Adds a ranking given by option names (unknown and repeated names ignored). */
export function addRankingByName(tally: RankingTally, order: readonly string[], weight = 1): void {
  addRanking(tally, rankedIndexes(order, new Map(tally.options.map((o, i) => [o, i]))), weight);
}

export interface RankingOptionStats {
  option: string;
  /** Respondents who ranked it. */
  ranked: number;
  mean_rank: number | null;
  sd_rank: number | null;
  /** t-interval of the mean rank (Kish's effective n with weights). */
  ci: [number, number] | null;
  /** Share of all respondents ranking it first. */
  first_choice: number;
  /** Share of the option's rankers at each rank (index 0 = first). */
  rank_distribution: number[];
  borda: number;
  borda_share: number;
}

export function rankingStats(tally: RankingTally, level: number): RankingOptionStats[] {
  const m = tally.options.length;
  const ranks = Float64Array.from({ length: m }, (_, r) => r + 1);
  let bordaTotal = 0;
  for (const b of tally.borda) bordaTotal += b;
  return tally.options.map((option, o) => {
    const pos = tally.positions[o]!;
    const ranked = tally.rawPositions[o]!.reduce((s, x) => s + x, 0);
    const w = tally.rankedW[o]!;
    const nEff = tally.rankedW2[o]! > 0 ? (w * w) / tally.rankedW2[o]! : 0;
    const mean = w > 0 ? distributionMean(ranks, pos) : NaN;
    const sd = distributionSampleSd(ranks, pos, ranked);
    return {
      option,
      ranked,
      mean_rank: finite(mean),
      sd_rank: finite(sd),
      ci: tInterval(mean, sd, nEff, level),
      first_choice: tally.sumW > 0 ? pos[0]! / tally.sumW : 0,
      rank_distribution: Array.from(pos, (x) => (w > 0 ? x / w : 0)),
      borda: tally.sumW > 0 ? tally.borda[o]! / tally.sumW : 0,
      borda_share: bordaTotal > 0 ? tally.borda[o]! / bordaTotal : 0,
    };
  });
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
