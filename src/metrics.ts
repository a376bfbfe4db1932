/**
 * Prometheus metrics on prom-client: the product's counters and histograms
 * (one registry per app) and the process's default metrics (event-loop lag,
 * GC pauses, heap spaces, CPU, handles; collected once per process), rendered
 * at /metrics. Labels are low-cardinality (route, method, status, engine,
 * code) — never keys, workspaces or prompt text.
 *
 * Why prom-client rather than the hand-written counters it replaces: its
 * default metrics are the ones dashboards expect, and its aggregator sums
 * the metrics of several processes (a --workers server: src/metrics-cluster.ts)
 * series by series, with the right rule per default metric (event-loop lag
 * averaged, version info taken once).
 */
import { AggregatorRegistry, Counter, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** One process's metrics as data: what a cluster primary sums. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

let processRegistry: Registry | undefined;

/** The process's default metrics; registered once, whatever the number of apps (tests build many). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({ name: 'cohort_http_requests_total', help: 'HTTP requests by route, method and status.', labelNames: ['route', 'method', 'status'] as const, registers });
  const latency = new Histogram({
    name: 'cohort_http_request_duration_seconds',
    help: 'Time to the response headers, by route.',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const responses = new Counter({ name: 'cohort_responses_total', help: 'Responses finished, by engine and status.', labelNames: ['engine', 'status'] as const, registers });
  const tokens = new Counter({ name: 'cohort_tokens_total', help: 'Tokens, by engine and direction (input/output).', labelNames: ['engine', 'direction'] as const, registers });
  const credits = new Counter({ name: 'cohort_credits_used_total', help: 'Credits reported in usage.credits_used, by engine and key mode.', labelNames: ['engine', 'mode'] as const, registers });
  const upstreamErrors = new Counter({ name: 'cohort_upstream_errors_total', help: 'Failed responses by engine and error code.', labelNames: ['engine', 'code'] as const, registers });
  const rateLimited = new Counter({ name: 'cohort_rate_limit_rejections_total', help: 'Requests refused by rate or concurrency limits.', labelNames: ['route'] as const, registers });
  return {
    requests,
    latency,
    responses,
    tokens,
    credits,
    upstreamErrors,
    rateLimited,
    /** This process's metrics as data, for a cluster primary to sum. */
    async snapshot(): Promise<MetricsSnapshot> {
      const [own, proc] = await Promise.all([registry.getMetricsAsJSON(), processMetrics().getMetricsAsJSON()]);
      return [...own, ...proc] as MetricsSnapshot;
    },
    /** This process's metrics in the Prometheus text format. */
    async render(): Promise<string> {
      const [own, proc] = await Promise.all([registry.metrics(), processMetrics().metrics()]);
      return `${own}\n${proc}`;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Several processes' snapshots as one exposition: each series summed (or averaged, … per its aggregator). */
export function renderAggregated(snapshots: MetricsSnapshot[]): Promise<string> {
  return AggregatorRegistry.aggregate(snapshots as Parameters<typeof AggregatorRegistry.aggregate>[0]).metrics();
}
