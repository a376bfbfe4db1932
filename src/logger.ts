/**
 * Structured JSON logs, one line per event. Never log a key or prompt text at
 * info level: callers pass ids and counts, not content.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

function serialize(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? { name: v.name, message: v.message, stack: v.stack, cause: v.cause instanceof Error ? v.cause.message : undefined } : v;
  }
  return out;
}

/**
 * Lines to stderr, gathered per turn of the event loop into one write (an access
 * line per request would otherwise cost a write system call each: stderr to a
 * file or pipe is synchronous). Whatever is pending is written when the process exits.
 */
let pending: string[] = [];
let flushScheduled = false;
let exitHooked = false;
function flushStderr(): void {
  flushScheduled = false;
  if (pending.length === 0) return;
  const text = pending.join('');
  pending = [];
  process.stderr.write(text);
}
function writeStderr(line: string): void {
  pending.push(line + '\n');
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', flushStderr);
  }
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushStderr);
  }
}

export function createLogger(options: { level?: Level; write?: (line: string) => void } = {}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? writeStderr;
  const log = (level: Level) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[level] < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...serialize(fields) }));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
