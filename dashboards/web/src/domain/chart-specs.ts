import type {
  EventsResponse,
  TimeseriesPoint,
  TimeseriesResponse,
} from '../../../../workers/query/api-types.js';
import { markerKind, type ChartMarker, type MarkerKind } from './chart-markers.js';
import { formatLatency, formatPercent, formatStep, formatThroughput } from './format.js';
import type { ChartPoint, ChartSeries, LineChartSpec, SeriesVariant } from './line-chart-svg.js';

export type ChartKind = 'error-rate' | 'client-errors' | 'latency' | 'throughput';

type Value = (p: TimeseriesPoint, coveredSeconds: number) => number | null;

interface ChartDefinition {
  kind: ChartKind;
  title: string;
  lines: { name: string; variant: SeriesVariant; value: Value }[];
  /** The step's worst minute (worst=1), drawn as a second line so a short burst survives coarse steps. */
  worst?: { name: string; value: (p: TimeseriesPoint) => number | null };
  /** The line the day/week-over comparison is drawn for. */
  compared: Value;
  comparedName: string;
  formatValue: (value: number) => string;
}

const CHARTS: ChartDefinition[] = [
  {
    kind: 'error-rate',
    title: 'Error rate (5xx)',
    lines: [{ name: 'error rate', variant: 'errors', value: (p) => p.errorRate }],
    worst: { name: 'worst minute', value: (p) => p.worstMinute?.errorRate ?? null },
    compared: (p) => p.errorRate,
    comparedName: 'error rate',
    formatValue: formatPercent,
  },
  {
    kind: 'latency',
    title: 'Latency',
    lines: [
      { name: 'p50', variant: 'p50', value: (p) => p.p50 },
      { name: 'p95', variant: 'p95', value: (p) => p.p95 },
      { name: 'p99', variant: 'p99', value: (p) => p.p99 },
      { name: 'p99.9', variant: 'p999', value: (p) => p.p999 },
      // Exact, not a bucket: with two requests in a minute p99 is the faster one, max is the slow one.
      { name: 'max', variant: 'max', value: (p) => p.max },
    ],
    worst: { name: 'worst minute p99', value: (p) => p.worstMinute?.p99 ?? null },
    compared: (p) => p.p95,
    comparedName: 'p95',
    formatValue: formatLatency,
  },
  {
    kind: 'throughput',
    title: 'Throughput',
    // Over the seconds the bucket has data for: a bucket still filling is not a drop in traffic.
    lines: [{ name: 'throughput', variant: 'throughput', value: (p, s) => p.requests / s }],
    compared: (p, s) => p.requests / s,
    comparedName: 'throughput',
    formatValue: formatThroughput,
  },
  {
    kind: 'client-errors',
    title: 'Client errors (4xx)',
    // A 4xx trend: a deploy that breaks a client contract shows here long before anyone files a ticket.
    lines: [
      {
        name: '4xx rate',
        variant: 'errors4xx',
        value: (p) => (p.requests > 0 ? p.errors4xx / p.requests : null),
      },
    ],
    compared: (p) => (p.requests > 0 ? p.errors4xx / p.requests : null),
    comparedName: '4xx rate',
    formatValue: formatPercent,
  },
];

export interface ChartView {
  kind: ChartKind;
  spec: LineChartSpec;
  summary: SeriesSummary[];
}

export interface SeriesSummary {
  name: string;
  latest: string;
  peak: string;
  average: string;
}

const OFFSET_LABEL = { '1d': 'day before', '7d': 'week before' } as const;

export interface ChartInput {
  ts: TimeseriesResponse;
  events: EventsResponse['events'];
  /** What is shown, e.g. "checkout GET /orders". */
  scope: string;
  /**
   * Start of the newest rolled-up minute (freshness). That minute may still be filling (its requests keep
   * arriving), so the bucket holding it is partial; buckets after it have no metrics *yet* and stay blank.
   */
  newestMinute: number | null;
  hiddenMarkers?: readonly MarkerKind[];
  timeZone?: string;
}

type Completeness = 'complete' | 'partial' | 'future';

/** Where a bucket stands against the newest rolled-up minute. */
export function bucketCompleteness(t: number, stepMs: number, newestMinute: number | null): Completeness {
  if (newestMinute === null) return 'complete';
  if (t > newestMinute) return 'future';
  return t + stepMs > newestMinute ? 'partial' : 'complete';
}

/** Seconds of the bucket that have data: the whole step, or up to the end of the newest minute. */
function coveredSeconds(t: number, stepMs: number, newestMinute: number | null): number {
  const end = newestMinute === null ? t + stepMs : Math.min(t + stepMs, newestMinute + 60_000);
  return Math.max(60_000, end - t) / 1000;
}

function splitPoints(
  points: TimeseriesPoint[],
  input: ChartInput,
  value: Value,
): Pick<ChartSeries, 'points' | 'partial'> {
  const { stepMs } = input.ts;
  const complete: ChartPoint[] = [];
  const partial: ChartPoint[] = [];
  for (const p of points) {
    const state = bucketCompleteness(p.t, stepMs, input.newestMinute);
    const v = state === 'future' ? null : value(p, coveredSeconds(p.t, stepMs, input.newestMinute));
    complete.push({ t: p.t, v: state === 'complete' ? v : null });
    if (state === 'partial') partial.push({ t: p.t, v });
  }
  return { points: complete, partial };
}

/** Builds the three charts of a timeseries response. */
export function buildChartViews(input: ChartInput, size: { width: number; height: number }): ChartView[] {
  const { ts, events, scope } = input;
  const hidden = new Set(input.hiddenMarkers ?? []);
  const markers: ChartMarker[] = events
    .map((e, index) => ({ t: e.t, kind: markerKind(e.type), index }))
    .filter((m) => !hidden.has(m.kind));
  const buckets = ts.stepMs > 60_000;
  return CHARTS.map((def) => {
    const series: ChartSeries[] = def.lines.map((line) => ({
      name: line.name,
      variant: line.variant,
      ...splitPoints(ts.points, input, line.value),
    }));
    const worst = def.worst;
    // A range the API answers no worst p99 for (past 24 h) gets no empty "worst minute p99" legend entry.
    if (worst && buckets && ts.points.some((p) => worst.value(p) !== null)) {
      series.push({
        name: worst.name,
        variant: 'worst',
        ...splitPoints(ts.points, input, (p) => worst.value(p)),
      });
    }
    if (ts.compare) {
      // The past is complete: only buckets that lie in the future of the current range stay blank.
      const shifted = { ...input, newestMinute: null };
      series.push({
        name: `${def.comparedName}, ${OFFSET_LABEL[ts.compare.offset]}`,
        variant: 'compare',
        ...splitPoints(ts.compare.points, shifted, def.compared),
      });
    }
    const spec: LineChartSpec = {
      id: `chart-${def.kind}`,
      title: `${def.title}, ${scope} · ${formatStep(ts.stepMs)} buckets`,
      description: describe(series, def.formatValue, markers.length),
      ...size,
      from: ts.from,
      to: ts.to,
      series,
      markers,
      formatValue: def.formatValue,
      timeZone: input.timeZone,
    };
    return { kind: def.kind, spec, summary: series.map((s) => summarize(s, def.formatValue)) };
  });
}

/** Latest, peak and average over complete buckets; a partial bucket is not "the latest value". */
export function summarize(series: ChartSeries, format: (v: number) => string): SeriesSummary {
  const values = series.points.map((p) => p.v).filter((v): v is number => v !== null);
  if (values.length === 0)
    return { name: series.name, latest: 'no data', peak: 'no data', average: 'no data' };
  return {
    name: series.name,
    latest: format(values[values.length - 1]!),
    peak: format(Math.max(...values)),
    average: format(values.reduce((a, b) => a + b, 0) / values.length),
  };
}

function describe(series: ChartSeries[], format: (v: number) => string, markerCount: number): string {
  const parts = series.map((s) => {
    const sum = summarize(s, format);
    return `${s.name}: latest ${sum.latest}, peak ${sum.peak}`;
  });
  if (markerCount > 0) parts.push(`${markerCount} deploy or incident marker${markerCount === 1 ? '' : 's'}`);
  return `${parts.join('; ')}.`;
}
