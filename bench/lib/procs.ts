/** Child processes (upstream, proxy, Cohort) and what /proc says about them. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** The last lines the child wrote (stdout and stderr), for error messages. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

const live = new Set<Child>();

/** Kills every child this process started (by pid), e.g. on an error or Ctrl-C. */
export function killAll(): void {
  for (const c of live) {
    try {
      c.proc.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
}

/**
 * Starts `node …args` and resolves once a stdout line matches `ready`
 * (returning the match), or rejects if the child exits first or `timeoutMs` passes.
 */
export function startChild(
  name: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; ready: RegExp; timeoutMs?: number; stderrFile?: string },
): Promise<{ child: Child; match: RegExpMatchArray }> {
  // stderr (where Cohort logs, one line per request) goes to a file when given, so reading it
  // costs the load generator nothing; its tail is shown when the child fails.
  const errFd = options.stderrFile ? fs.openSync(options.stderrFile, 'a') : undefined;
  const proc = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', errFd ?? 'pipe'] });
  if (errFd !== undefined) fs.closeSync(errFd);
  const lines: string[] = [];
  const remember = (text: string): void => {
    for (const l of text.split('\n')) if (l.trim()) lines.push(l);
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  let exitResolve!: (v: number | string) => void;
  const exited = new Promise<number | string>((r) => (exitResolve = r));
  const child: Child = {
    name,
    proc,
    pid: proc.pid ?? -1,
    output: () => lines.join('\n') + (options.stderrFile ? `\n[stderr tail]\n${tailOf(options.stderrFile, 4000)}` : ''),
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
  live.add(child);
  proc.on('exit', (code, sig) => {
    live.delete(child);
    exitResolve(code ?? sig ?? 'unknown');
  });
  proc.stderr?.setEncoding('utf8').on('data', remember);
  return new Promise((resolve, reject) => {
    let buf = '';
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      proc.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${options.timeoutMs ?? 30_000} ms:\n${child.output()}`));
    }, options.timeoutMs ?? 30_000);
    proc.stdout!.setEncoding('utf8').on('data', (text: string) => {
      remember(text);
      if (done) return;
      buf += text;
      const m = options.ready.exec(buf);
      if (m) {
        done = true;
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    });
    void exited.then((code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${child.output()}`));
    });
  });
}

function tailOf(file: string, bytes: number): string {
  try {
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(Math.min(bytes, size));
    fs.readSync(fd, buf, 0, buf.length, size - buf.length);
    fs.closeSync(fd);
    return buf.toString('utf8');
  } catch {
    return '';
  }
}

export interface ProcStatus {
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size over the process's life (VmHWM), bytes. */
  hwm: number;
}

export function procStatus(pid: number): ProcStatus {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : NaN;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

let clkTck: number | undefined;
function ticksPerSecond(): number {
  clkTck ??= (() => {
    try {
      return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      return 100;
    }
  })();
  return clkTck;
}

/** CPU time (user + system) the process has used so far, in ms (10 ms resolution). */
export function procCpuMs(pid: number): number {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of stat(5); `rest` starts at field 3.
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / ticksPerSecond();
}

/** The child processes of `pid` (e.g. the workers of `cohort serve --workers N`). */
export function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU time of `pid` and its children (those alive now), in ms. */
export function treeCpuMs(pid: number): number {
  return childPids(pid).reduce((n, child) => {
    try {
      return n + procCpuMs(child);
    } catch {
      return n; // exited meanwhile
    }
  }, procCpuMs(pid));
}

export function machineInfo(): { cpu: string; cores: number; ramGiB: number; node: string; os: string } {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1]!.trim();
  } catch {
    /* not Linux */
  }
  return { cpu, cores: os.availableParallelism(), ramGiB: os.totalmem() / 1024 ** 3, node: process.version, os: `${os.type()} ${os.release()}` };
}

/** Machine-wide CPU time from /proc/stat, in ms summed over all cores: busy (not idle/iowait). */
export function machineCpuMs(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = v.slice(0, 8).reduce((a, b) => a + b, 0) - (v[3] ?? 0) - (v[4] ?? 0);
  return (busy * 1000) / ticksPerSecond();
}

/**
 * CPU used by processes other than `ours` (the bench processes): a meter for
 * the noise of a shared machine. Call `start()` then `stop()` → cores used by others.
 */
export function foreignLoadMeter(ours: () => number[]): { start(): void; stop(): number } {
  let m0 = 0;
  let o0 = 0;
  let t0 = 0;
  const oursMs = (): number => ours().reduce((n, pid) => n + (pid === process.pid ? selfCpuMs() : procCpuMs(pid)), 0);
  return {
    start() {
      m0 = machineCpuMs();
      o0 = oursMs();
      t0 = performance.now();
    },
    stop() {
      const elapsed = performance.now() - t0;
      return Math.max(0, machineCpuMs() - m0 - (oursMs() - o0)) / elapsed;
    },
  };
}

function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Waits (up to `maxMs`) until other processes use less than `cores` of CPU over a 1 s sample; returns the last sample. */
export async function waitForQuiet(ours: () => number[], cores: number, maxMs: number, onWait: (load: number) => void): Promise<number> {
  const meter = foreignLoadMeter(ours);
  const deadline = performance.now() + maxMs;
  for (;;) {
    meter.start();
    await new Promise((r) => setTimeout(r, 1000));
    const load = meter.stop();
    if (load < cores || performance.now() > deadline) return load;
    onWait(load);
  }
}

/**
 * Sets the scheduling priority (nice value) of every thread of a process
 * (Linux nice values are per thread). Negative values need privileges.
 * Returns false when it could not.
 */
export function setProcessPriority(pid: number, priority: number): boolean {
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) os.setPriority(Number(tid), priority);
    return true;
  } catch {
    return false;
  }
}
