/** A service's figures over a window (`/services?latency=1`). */
export interface ServiceFigures {
  requests: number;
  errors5xx: number;
  errorRate: number | null;
  p95?: number | null;
  p99?: number | null;
}

/** One service's window now and the same window a week earlier. */
export interface ServiceWindow {
  service: string;
  now: ServiceFigures;
  lastWeek: ServiceFigures | null;
  /** Throughput per step over the window, for the sparkline. */
  spark: (number | null)[];
  /** What the earlier window is, for the change texts ("last week", "5 weeks earlier"). */
  against?: string;
}

const WEEK = 7 * 86_400_000;

/**
 * How far back the overview's earlier window lies: a week, or as many whole weeks as the range is long, so a
 * 30-day range is never compared with a window it overlaps, and weekdays still line up.
 */
export function comparisonOffsetMs(rangeMs: number): number {
  return Math.max(1, Math.ceil(rangeMs / WEEK)) * WEEK;
}

export function comparisonLabel(offsetMs: number): string {
  const weeks = Math.round(offsetMs / WEEK);
  return weeks === 1 ? 'last week' : `${weeks} weeks earlier`;
}

export type Direction = 'worse' | 'better' | 'same';

export interface Change {
  /** "+12% vs last week", "+1.3 pp vs last week", "new" or "–". */
  text: string;
  direction: Direction;
  /** Big enough, on enough requests, not to be noise: only then is it coloured. */
  significant: boolean;
}

export interface OverviewRow {
  service: string;
  requests: number;
  errorRate: number | null;
  p95: number | null;
  p99: number | null;
  spark: (number | null)[];
  changes: { requests: Change; errorRate: Change; p95: Change; p99: Change };
  /** How much worse than last week: the table's order, worst first. */
  worsening: number;
}

const none: Change = { text: '–', direction: 'same', significant: false };
/** Latency changes below this share are within what a quiet hour varies by. */
const LATENCY_SIGNIFICANT = 0.2;
export const MIN_REQUESTS = 50;

export function relativeChange(
  now: number | null,
  before: number | null,
  higherIsWorse: boolean,
  enough: boolean,
  against = 'last week',
): Change {
  if (now === null || before === null) return none;
  if (before === 0)
    return now === 0
      ? { ...none, text: `±0% vs ${against}` }
      : { text: 'new', direction: 'same', significant: false };
  const ratio = (now - before) / before;
  const pct = Math.round(ratio * 100);
  const direction: Direction = pct === 0 ? 'same' : ratio > 0 === higherIsWorse ? 'worse' : 'better';
  const text = `${pct > 0 ? '+' : pct < 0 ? '−' : '±'}${Math.abs(pct)}% vs ${against}`;
  return { text, direction, significant: enough && Math.abs(ratio) >= LATENCY_SIGNIFICANT };
}

/**
 * Error-rate change in percentage points, significant when a two-proportion z-test says |z| >= 2: 1 error in 10
 * requests against 0 in 10 is not an incident, 500 in 10,000 against 50 in 10,000 is.
 */
export function errorRateChange(
  now: ServiceFigures,
  before: ServiceFigures | null,
  against = 'last week',
): Change {
  if (!before || now.requests === 0 || before.requests === 0) return none;
  const [p1, p0] = [now.errors5xx / now.requests, before.errors5xx / before.requests];
  const pp = (p1 - p0) * 100;
  const pooled = (now.errors5xx + before.errors5xx) / (now.requests + before.requests);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / now.requests + 1 / before.requests));
  const z = se === 0 ? 0 : (p1 - p0) / se;
  const rounded = Math.round(pp * 10) / 10;
  const direction: Direction = rounded === 0 ? 'same' : rounded > 0 ? 'worse' : 'better';
  const text = `${rounded > 0 ? '+' : rounded < 0 ? '−' : '±'}${Math.abs(rounded)} pp vs ${against}`;
  return { text, direction, significant: Math.abs(z) >= 2 };
}

export function buildOverviewRow(w: ServiceWindow): OverviewRow {
  const before = w.lastWeek && w.lastWeek.requests > 0 ? w.lastWeek : null;
  return {
    service: w.service,
    requests: w.now.requests,
    errorRate: w.now.errorRate,
    p95: w.now.p95 ?? null,
    p99: w.now.p99 ?? null,
    spark: w.spark,
    changes: changesOf(w.now, before, w.against),
    worsening: worsening(w.now, before),
  };
}

function changesOf(
  now: ServiceFigures,
  before: ServiceFigures | null,
  against?: string,
): OverviewRow['changes'] {
  const enough = now.requests >= MIN_REQUESTS && (before?.requests ?? 0) >= MIN_REQUESTS;
  const was = (key: 'p95' | 'p99') => before?.[key] ?? null;
  return {
    requests: relativeChange(now.requests, before?.requests ?? null, false, enough, against),
    errorRate: errorRateChange(now, before, against),
    p95: relativeChange(now.p95 ?? null, was('p95'), true, enough, against),
    p99: relativeChange(now.p99 ?? null, was('p99'), true, enough, against),
  };
}

/**
 * Error-rate increase in percentage points counts most (an error is a user who failed), then the relative p95
 * increase: +2 pp of errors outranks +50% of p95, and a service without last week's data sorts after changed ones.
 */
function worsening(now: ServiceFigures, before: ServiceFigures | null): number {
  if (!before) return -Infinity;
  const errors = ((now.errorRate ?? 0) - (before.errorRate ?? 0)) * 100;
  const [p95, was] = [now.p95 ?? null, before.p95 ?? null];
  const latency = p95 !== null && was ? (p95 - was) / was : 0;
  return errors * 4 + latency;
}

export function sortOverview(rows: OverviewRow[]): OverviewRow[] {
  return [...rows].sort(
    (a, b) => b.worsening - a.worsening || b.requests - a.requests || a.service.localeCompare(b.service),
  );
}

/** A polyline for the sparkline, scaled into width x height; gaps (null) break it. */
export function sparklinePath(values: (number | null)[], width: number, height: number): string {
  const max = Math.max(0, ...values.map((v) => v ?? 0)) || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) return void (pen = false);
    const x = Math.round(i * step * 10) / 10;
    const y = Math.round((height - 1 - (v / max) * (height - 2)) * 10) / 10;
    d += `${pen ? 'L' : 'M'}${x},${y}`;
    pen = true;
  });
  return d;
}
