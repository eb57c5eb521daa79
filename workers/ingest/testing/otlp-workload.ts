/** A known span workload for the OTLP client tests: what each client sends, and the counts it must produce. */
export interface WorkloadSpan {
  name: string;
  method: string;
  route: string;
  status: number;
  startNs: bigint;
  endNs: bigint;
}

export interface EndpointExpectation {
  method: string;
  path: string;
  requests: number;
  errors5xx: number;
  errors4xx: number;
  /** Latencies in ms, ascending: the exact order statistics percentiles are checked against. */
  sorted: number[];
}

/**
 * `count` SERVER spans starting at `startMs`, 50 ms apart, spread over two routes, with 5xx and 4xx answers and
 * durations from sub-millisecond to seconds (a log-uniform spread, so every percentile sits in another bucket).
 */
export function buildWorkload(count: number, startMs: number): WorkloadSpan[] {
  return Array.from({ length: count }, (_, i) => {
    const durationNs = BigInt(Math.round(0.2e6 * Math.pow(10, ((i * 37) % count) / (count / 4))));
    const startNs = BigInt(startMs + i * 50) * 1_000_000n + BigInt(i % 1000);
    const get = i % 2 === 0;
    return {
      name: get ? 'GET /orders/:id' : 'POST /cart',
      method: get ? 'GET' : 'POST',
      route: get ? '/orders/:id' : '/cart',
      status: i % 10 === 3 ? 503 : i % 7 === 1 ? 404 : 200,
      startNs,
      endNs: startNs + durationNs,
    };
  });
}

export function expectedEndpoints(spans: readonly WorkloadSpan[]): EndpointExpectation[] {
  const byRoute = new Map<string, EndpointExpectation>();
  for (const s of spans) {
    const e = byRoute.get(s.route) ?? {
      method: s.method,
      path: s.route,
      requests: 0,
      errors5xx: 0,
      errors4xx: 0,
      sorted: [],
    };
    e.requests += 1;
    if (s.status >= 500) e.errors5xx += 1;
    else if (s.status >= 400) e.errors4xx += 1;
    e.sorted.push(Number(s.endNs - s.startNs) / 1e6);
    byRoute.set(s.route, e);
  }
  return [...byRoute.values()].map((e) => ({ ...e, sorted: e.sorted.sort((a, b) => a - b) }));
}

/** The exact order statistic the query API's percentiles are held to (percentile-oracle.contract.ts). */
export function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}
