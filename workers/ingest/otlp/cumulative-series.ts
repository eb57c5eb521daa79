/**
 * Cumulative OTLP histograms to deltas (docs/adr/0082). A cumulative point holds every request since the series'
 * start, so the minute metrics need its difference from the series' previous point. The previous points live in
 * this ingester's memory, which decides what happens across restarts and replicas:
 * - a series seen for the first time counts whole only when it started after this process did (nothing of it can
 *   have been counted before); otherwise its first point is only a baseline, and the requests between the last
 *   point the previous process saw and this one are not counted (at most one export interval per series);
 * - a reset (a new start time, or a count going down) counts the new point whole;
 * - a point not newer than the previous one (an exporter's retry) counts nothing.
 * State advances only when the caller commits, after the records are durable: a refused request is retried
 * against the same previous point. Points of one series must reach one ingester (a Collector's
 * loadbalancing exporter or the cumulativetodelta processor otherwise); delta temporality needs none of this.
 */
export interface CumulativePoint {
  startNs: bigint;
  timeNs: bigint;
  /** Exponential layouts only: the scale the bucket indexes belong to. */
  scale?: number;
  /** Cumulative count per bucket index. */
  counts: ReadonlyMap<number, number>;
  /** The cumulative latency sum, when the point has one. */
  sum?: number;
}

export interface SeriesDelta {
  /** Requests per bucket index since the previous point (empty: nothing to count). */
  counts: Map<number, number>;
  /** The previous point's time: with the series key, what makes the records' idempotency key. */
  sinceNs: bigint;
  /** The latency sum since the previous point, when both have one (and it did not go down). */
  sum?: number;
  commit(): void;
}

/** An exponential layout's counts at a coarser scale: each index shifts down, zeros (-1) stay. */
function downscale(counts: ReadonlyMap<number, number>, shift: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const [i, n] of counts) {
    const j = i === -1 ? -1 : i >> shift;
    out.set(j, (out.get(j) ?? 0) + n);
  }
  return out;
}

function difference(now: ReadonlyMap<number, number>, before: ReadonlyMap<number, number>) {
  const out = new Map<number, number>();
  for (const [i, n] of now) {
    const d = n - (before.get(i) ?? 0);
    if (d < 0) return undefined;
    if (d > 0) out.set(i, d);
  }
  for (const [i, n] of before) if (n > 0 && !now.has(i)) return undefined;
  return out;
}

const sumOf = (sum: number | undefined) => (sum === undefined ? {} : { sum });

/** The latency sum between two points of a series: none when either lacks one, or when it went down. */
function sumSince(point: CumulativePoint, previous: CumulativePoint): number | undefined {
  if (point.sum === undefined || previous.sum === undefined || point.sum < previous.sum) return undefined;
  return point.sum - previous.sum;
}

export class CumulativeSeries {
  private readonly points = new Map<string, CumulativePoint>();

  constructor(
    private readonly processStartNs: bigint,
    /** Series kept at most; the least recently updated are forgotten (their next point is a baseline). */
    private readonly maxSeries = 100_000,
  ) {}

  get size(): number {
    return this.points.size;
  }

  observe(key: string, point: CumulativePoint): SeriesDelta {
    const previous = this.points.get(key);
    const commit = () => {
      this.points.delete(key);
      this.points.set(key, point);
      for (const [oldest] of this.points) {
        if (this.points.size <= this.maxSeries) break;
        this.points.delete(oldest);
      }
    };
    const whole = { counts: new Map(point.counts), sinceNs: point.startNs, commit, ...sumOf(point.sum) };
    if (!previous) return point.startNs >= this.processStartNs ? whole : { ...whole, counts: new Map() };
    if (point.timeNs <= previous.timeNs)
      return { counts: new Map(), sinceNs: previous.timeNs, commit: () => {} };
    if (point.startNs !== previous.startNs) return whole;
    let before = previous.counts;
    const shift = (previous.scale ?? 0) - (point.scale ?? 0);
    if (shift > 0) before = downscale(before, shift);
    const counts = shift < 0 ? undefined : difference(point.counts, before);
    if (!counts) return whole;
    return { counts, sinceNs: previous.timeNs, commit, ...sumOf(sumSince(point, previous)) };
  }
}
