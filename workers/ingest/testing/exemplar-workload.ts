import type { WorkloadSpan } from './otlp-workload.js';

/** A sent span as the exporter saw it: the workload's values and the ids the SDK gave it. */
export interface SentSpan extends WorkloadSpan {
  traceId: string;
  spanId: string;
}

/**
 * 60 SERVER spans over three whole minutes from `minuteMs` (3 s apart, whole milliseconds so the fact time is
 * exact), two routes, distinct durations from 1 ms to ~1.2 s with one far slower span, and a 5xx every 7th: each
 * minute and route has its own slowest request and most have a latest 5xx.
 */
export function buildExemplarWorkload(minuteMs: number): WorkloadSpan[] {
  return Array.from({ length: 60 }, (_, i) => {
    const startNs = BigInt(minuteMs + 500 + i * 3000) * 1_000_000n;
    const durationUs = i === 41 ? 4_321_987 : 1000 + ((i * 7919) % 60) * 20_011;
    const get = i % 3 !== 0;
    return {
      name: get ? 'GET /stock/:sku' : 'POST /pay',
      method: get ? 'GET' : 'POST',
      route: get ? '/stock/:sku' : '/pay',
      status: i % 7 === 2 ? 500 + (i % 4) : 200,
      startNs,
      endNs: startNs + BigInt(durationUs) * 1000n,
    };
  });
}

export interface ExpectedExemplar {
  minute: number;
  path: string;
  traceId: string;
  spanId: string;
  latencyMs: number;
  statusCode: number;
  t: number;
}

/**
 * The exemplars the API must list, picked from the sent spans without the rollup's code: per minute and route the
 * slowest span (`slowest`, listed slowest first) or the latest 5xx (`error`, newest first).
 */
export function expectedSpanExemplars(
  spans: readonly SentSpan[],
  kind: 'slowest' | 'error',
): ExpectedExemplar[] {
  const picked = new Map<string, ExpectedExemplar>();
  for (const s of spans) {
    if (kind === 'error' && s.status < 500) continue;
    const t = Number(s.startNs / 1_000_000n);
    const e = {
      minute: Math.floor(t / 60_000) * 60_000,
      path: s.route,
      traceId: s.traceId,
      spanId: s.spanId,
      latencyMs: Number(s.endNs - s.startNs) / 1e6,
      statusCode: s.status,
      t,
    };
    const key = `${e.minute} ${e.path}`;
    const held = picked.get(key);
    const better = kind === 'slowest' ? !held || e.latencyMs > held.latencyMs : !held || e.t > held.t;
    if (better) picked.set(key, e);
  }
  const order = kind === 'slowest' ? (e: ExpectedExemplar) => e.latencyMs : (e: ExpectedExemplar) => e.t;
  return [...picked.values()].sort((a, b) => order(b) - order(a));
}
