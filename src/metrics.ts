/**
 * Prometheus metrics, in-process: counters and histograms rendered in the
 * text exposition format at /metrics. Labels are low-cardinality (route,
 * status, engine, code) — never keys, workspaces or prompt text.
 */
type Labels = Record<string, string>;

const NEEDS_ESCAPE = /[\\"\n]/;
const escapeValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** `a="1",b="2"`: the labels sorted by name, values escaped (called per observation: no intermediate arrays of pairs). */
function key(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let out = '';
  for (const n of names) {
    const v = labels[n]!;
    out += `${out === '' ? '' : ','}${n}="${NEEDS_ESCAPE.test(v) ? escapeValue(v) : v}"`;
  }
  return out;
}

class Counter {
  readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

class Histogram {
  readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {}
  observe(labels: Labels, value: number): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : '';
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{${sep}le="${b}"} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`);
      lines.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      lines.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines.join('\n');
  }
}

/** This process's memory, read when scraped (the names prom-client's default metrics use). */
function processGauges(): string {
  const m = process.memoryUsage();
  const gauge = (name: string, help: string, value: number) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}\n`;
  return [
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', m.rss),
    gauge('nodejs_heap_size_total_bytes', 'V8 heap committed, in bytes.', m.heapTotal),
    gauge('nodejs_heap_size_used_bytes', 'V8 heap used, in bytes.', m.heapUsed),
    gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript objects, in bytes.', m.external),
    gauge('nodejs_array_buffers_bytes', 'Memory of ArrayBuffers and SharedArrayBuffers (included in external), in bytes.', m.arrayBuffers),
  ].join('');
}

export function createMetrics() {
  const requests = new Counter('cohort_http_requests_total', 'HTTP requests by route, method and status.');
  const latency = new Histogram('cohort_http_request_duration_seconds', 'Time to the response headers, by route.', [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
  const responses = new Counter('cohort_responses_total', 'Responses finished, by engine and status.');
  const tokens = new Counter('cohort_tokens_total', 'Tokens, by engine and direction (input/output).');
  const credits = new Counter('cohort_credits_used_total', 'Credits reported in usage.credits_used, by engine and key mode.');
  const upstreamErrors = new Counter('cohort_upstream_errors_total', 'Failed responses by engine and error code.');
  const rateLimited = new Counter('cohort_rate_limit_rejections_total', 'Requests refused by rate or concurrency limits.');
  return {
    requests,
    latency,
    responses,
    tokens,
    credits,
    upstreamErrors,
    rateLimited,
    render(): string {
      return [requests, latency, responses, tokens, credits, upstreamErrors, rateLimited].map((m) => m.render()).join('\n') + '\n' + processGauges();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
