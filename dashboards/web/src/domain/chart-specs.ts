import type {
  EventsResponse,
  TimeseriesPoint,
  TimeseriesResponse,
} from '../../../../workers/query/api-types.js';
import { formatLatency, formatPercent, formatThroughput } from './format.js';
import type { ChartMarker, ChartSeries, LineChartSpec } from './line-chart-svg.js';

export type ChartKind = 'error-rate' | 'latency' | 'throughput';

interface ChartDefinition {
  kind: ChartKind;
  title: string;
  lines: { name: string; variant: ChartSeries['variant']; value: (p: TimeseriesPoint) => number | null }[];
  /** The line the day/week-over comparison is drawn for. */
  compared: (p: TimeseriesPoint) => number | null;
  comparedName: string;
  formatValue: (value: number) => string;
}

const CHARTS: ChartDefinition[] = [
  {
    kind: 'error-rate',
    title: 'Error rate (5xx)',
    lines: [{ name: 'error rate', variant: 'primary', value: (p) => p.errorRate }],
    compared: (p) => p.errorRate,
    comparedName: 'error rate',
    formatValue: formatPercent,
  },
  {
    kind: 'latency',
    title: 'Latency',
    lines: [
      { name: 'p50', variant: 'tertiary', value: (p) => p.p50 },
      { name: 'p95', variant: 'secondary', value: (p) => p.p95 },
      { name: 'p99', variant: 'primary', value: (p) => p.p99 },
    ],
    compared: (p) => p.p95,
    comparedName: 'p95',
    formatValue: formatLatency,
  },
  {
    kind: 'throughput',
    title: 'Throughput',
    lines: [{ name: 'throughput', variant: 'primary', value: (p) => p.throughput }],
    compared: (p) => p.throughput,
    comparedName: 'throughput',
    formatValue: formatThroughput,
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
   * End of the newest rolled-up minute (freshness). Steps starting after it have no metrics *yet*; drawing
   * them as zero would look like an outage, so they are left blank.
   */
  dataEnd: number | null;
}

/** Builds the three charts of a timeseries response. */
export function buildChartViews(input: ChartInput, size: { width: number; height: number }): ChartView[] {
  const { ts, events, scope, dataEnd } = input;
  const known = (p: TimeseriesPoint) => dataEnd === null || p.t < dataEnd;
  const markers: ChartMarker[] = events.map((e) => ({
    t: e.t,
    label: [e.type, e.service, e.version].filter(Boolean).join(' '),
    kind: markerKind(e.type),
  }));
  return CHARTS.map((def) => {
    const series: ChartSeries[] = def.lines.map((line) => ({
      name: line.name,
      variant: line.variant,
      points: ts.points.map((p) => ({ t: p.t, v: known(p) ? line.value(p) : null })),
    }));
    if (ts.compare) {
      series.push({
        name: `${def.comparedName}, ${OFFSET_LABEL[ts.compare.offset]}`,
        variant: 'compare',
        points: ts.compare.points.map((p) => ({ t: p.t, v: known(p) ? def.compared(p) : null })),
      });
    }
    const spec: LineChartSpec = {
      id: `chart-${def.kind}`,
      title: `${def.title}, ${scope}`,
      description: describe(series, def.formatValue, markers.length),
      ...size,
      from: ts.from,
      to: ts.to,
      series,
      markers,
      formatValue: def.formatValue,
    };
    return { kind: def.kind, spec, summary: series.map((s) => summarize(s, def.formatValue)) };
  });
}

export function markerKind(type: string): ChartMarker['kind'] {
  if (type === 'deploy' || type === 'incident') return type;
  return 'other';
}

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
