/** An OTLP metrics point's exact latency sum / min / max for a record's requests (raw-record.ts). */
export interface KnownLatencies {
  latency_sum_ms?: number;
  latency_min_ms?: number;
  latency_max_ms?: number;
}

/** What a record knows of its requests' latencies beyond its representative one (an OTLP metrics point's). */
export interface LatencySummary {
  sumMs?: number;
  minMs?: number;
  maxMs?: number;
}

export function latencySummaryOf(fact: KnownLatencies): LatencySummary | undefined {
  const { latency_sum_ms: sumMs, latency_min_ms: minMs, latency_max_ms: maxMs } = fact;
  if (sumMs === undefined && minMs === undefined && maxMs === undefined) return undefined;
  return {
    ...(sumMs !== undefined && { sumMs }),
    ...(minMs !== undefined && { minMs }),
    ...(maxMs !== undefined && { maxMs }),
  };
}

/** Adds `weight` requests of `latencyMs` to a row's sum, min and max, or what the record knows of them exactly. */
export function foldLatencies(
  acc: { sum: number; min: number; max: number },
  latencyMs: number,
  weight: number,
  known: LatencySummary,
): void {
  acc.sum += known.sumMs ?? latencyMs * weight;
  const [min, max] = [known.minMs ?? latencyMs, known.maxMs ?? latencyMs];
  if (min < acc.min) acc.min = min;
  if (max > acc.max) acc.max = max;
}
