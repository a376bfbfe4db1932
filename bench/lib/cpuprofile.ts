/**
 * Summarizes a V8 .cpuprofile (as written by `node --cpu-prof`): self and
 * inclusive time per function, and self time per file/package, optionally only
 * for the samples inside a time window (CLOCK_MONOTONIC µs, the clock of both
 * V8's profile timestamps and process.hrtime). Cohort's compiled dist/*.js
 * positions are mapped back to src/*.ts through the build's source maps.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionStat {
  name: string;
  location: string;
  area: string;
  selfSamples: number;
  totalSamples: number;
}

export interface ProfileSummary {
  /** Samples counted (inside the window, when one was given and matched). */
  samples: number;
  windowMs: number;
  windowMatched: boolean;
  idleSamples: number;
  functions: FunctionStat[];
  areas: Array<{ area: string; selfSamples: number }>;
}

// ---------------------------------------------------------------------------
// Source maps (just enough: VLQ "mappings" → original source and line)

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i] as const));

interface Segment {
  col: number;
  source: number;
  line: number;
}
interface SourceMap {
  sources: string[];
  lines: Segment[][];
}

function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let source = 0;
  let line = 0;
  for (const lineText of mappings.split(';')) {
    const segs: Segment[] = [];
    let genCol = 0;
    for (const segText of lineText.split(',')) {
      if (!segText) continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segText) {
        const digit = B64_INDEX.get(ch) ?? 0;
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += values[0] ?? 0;
      if (values.length >= 4) {
        source += values[1]!;
        line += values[2]!;
        // values[3], the original column, is not needed: lines are enough for a profile.
        segs.push({ col: genCol, source, line });
      }
    }
    lines.push(segs);
  }
  return lines;
}

const maps = new Map<string, SourceMap | null>();
function sourceMapFor(file: string): SourceMap | null {
  if (maps.has(file)) return maps.get(file)!;
  let map: SourceMap | null = null;
  try {
    const raw = JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as { sources: string[]; mappings: string; sourceRoot?: string };
    const dir = path.dirname(file);
    map = { sources: raw.sources.map((s) => path.resolve(dir, raw.sourceRoot ?? '', s)), lines: decodeMappings(raw.mappings) };
  } catch {
    map = null;
  }
  maps.set(file, map);
  return map;
}

/** file:line (1-based) of a call frame, mapped to the TypeScript source when a map exists. */
function locate(frame: CallFrame, root: string): { file: string; line: number } {
  let file = frame.url;
  let line = frame.lineNumber + 1;
  if (file.startsWith('file://')) {
    file = fileURLToPath(file);
    const map = sourceMapFor(file);
    const segs = map?.lines[frame.lineNumber];
    if (map && segs && segs.length > 0) {
      let best = segs[0]!;
      for (const s of segs) if (s.col <= frame.columnNumber) best = s;
      file = map.sources[best.source] ?? file;
      line = best.line + 1;
    }
    file = path.relative(root, file);
  }
  return { file, line };
}

function areaOf(file: string, name: string): string {
  if (!file) return name.startsWith('(') ? name : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (nm) return nm[1]!;
  if (file.startsWith('node:')) return 'node: ' + file.slice(5).split('/').slice(0, 2).join('/');
  return file;
}

// ---------------------------------------------------------------------------

export function summarizeProfile(profile: CpuProfile, options: { root: string; windowUs?: [number, number] }): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  let [from, to] = options.windowUs ?? [-Infinity, Infinity];
  const windowMatched = options.windowUs !== undefined && from >= profile.startTime - 1e6 && to <= profile.endTime + 1e6 && to > profile.startTime;
  if (!windowMatched) [from, to] = [-Infinity, Infinity];

  const stats = new Map<string, FunctionStat>();
  const keyOf = new Map<number, string>();
  const statOf = (nodeId: number): FunctionStat => {
    let key = keyOf.get(nodeId);
    if (key === undefined) {
      const f = byId.get(nodeId)!.callFrame;
      const name = f.functionName || '(anonymous)';
      const { file, line } = locate(f, options.root);
      key = `${name}\u0000${file}:${line}`;
      keyOf.set(nodeId, key);
      if (!stats.has(key)) stats.set(key, { name, location: file ? `${file}:${line}` : '', area: areaOf(file, name), selfSamples: 0, totalSamples: 0 });
    }
    return stats.get(key)!;
  };

  let t = profile.startTime;
  let counted = 0;
  let idle = 0;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) continue;
    const id = profile.samples[i]!;
    counted++;
    first = Math.min(first, t);
    last = Math.max(last, t);
    const self = statOf(id);
    if (self.name === '(idle)') idle++;
    self.selfSamples++;
    const seen = new Set<FunctionStat>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const s = statOf(n);
      if (!seen.has(s)) {
        seen.add(s);
        s.totalSamples++;
      }
    }
  }
  const areas = new Map<string, number>();
  for (const s of stats.values()) if (s.selfSamples > 0) areas.set(s.area, (areas.get(s.area) ?? 0) + s.selfSamples);
  return {
    samples: counted,
    windowMs: counted > 0 ? (last - first) / 1000 : 0,
    windowMatched,
    idleSamples: idle,
    functions: [...stats.values()].filter((s) => s.name !== '(root)'),
    areas: [...areas.entries()].map(([area, selfSamples]) => ({ area, selfSamples })).sort((a, b) => b.selfSamples - a.selfSamples),
  };
}

/**
 * How many of the profile's samples (inside the window, when given) have a
 * frame in a file `inStack` accepts anywhere on their stack — e.g. the sandbox
 * engine's files, so that what it calls counts as its time too.
 */
export function stackShare(profile: CpuProfile, options: { root: string; windowUs?: [number, number]; inStack: (file: string) => boolean }): { samples: number; idle: number; matched: number } {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const matches = new Map<number, boolean>();
  const matchOf = (id: number): boolean => {
    let m = matches.get(id);
    if (m === undefined) {
      const p = parent.get(id);
      m = options.inStack(locate(byId.get(id)!.callFrame, options.root).file) || (p !== undefined && matchOf(p));
      matches.set(id, m);
    }
    return m;
  };
  const [from, to] = options.windowUs ?? [-Infinity, Infinity];
  let t = profile.startTime;
  let samples = 0;
  let idle = 0;
  let matched = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) continue;
    const id = profile.samples[i]!;
    samples++;
    const name = byId.get(id)!.callFrame.functionName;
    if (name === '(idle)') idle++;
    else if (matchOf(id)) matched++;
  }
  return { samples, idle, matched };
}
