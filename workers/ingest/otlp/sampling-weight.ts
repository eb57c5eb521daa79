import type { AttributeLookup } from './otlp-values.js';

/** 2^56: OpenTelemetry's consistent-probability thresholds and randomness are 56-bit. */
const thresholdRange = 2 ** 56;
const thresholdPattern = /^[0-9a-f]{1,14}$/;

/**
 * The adjusted count of a span sampled under OpenTelemetry's consistent probability sampling: the `th` sub-key
 * of the `ot` tracestate entry is the 56-bit rejection threshold T, written as up to 14 hex digits with trailing
 * zeros dropped; a span passed with probability (2^56 - T) / 2^56, so it stands for 2^56 / (2^56 - T) spans.
 * `th:0` (always sampled) is 1, `th:8` (50%) is 2, `th:c` (25%) is 4. Undefined when absent or malformed (the
 * specification says to treat the adjusted count as unknown; we then count the span once).
 */
export function thresholdAdjustedCount(traceState: string): number | undefined {
  if (!traceState.includes('ot=')) return undefined;
  for (const member of traceState.split(',')) {
    const entry = member.trim();
    if (!entry.startsWith('ot=')) continue;
    for (const field of entry.slice(3).split(';')) {
      if (!field.startsWith('th:')) continue;
      const hex = field.slice(3);
      if (!thresholdPattern.test(hex)) return undefined;
      const threshold = Number.parseInt(hex.padEnd(14, '0'), 16);
      return thresholdRange / (thresholdRange - threshold);
    }
  }
  return undefined;
}

/** The attributes samplingWeight reads. */
export const samplingKeys = ['sampler.type', 'sampler.param', 'SampleRate'];

/**
 * How many requests one sampled span stands for, from (in this order) the W3C tracestate threshold `ot=th:`,
 * Jaeger's probabilistic sampler tags (`sampler.type` = `probabilistic`, `sampler.param` = p in (0, 1]: 1 / p)
 * or a `SampleRate` attribute (Honeycomb's "1 in N", N >= 1). 1 when the span says nothing about sampling.
 */
export function samplingWeight(traceState: string, attribute: AttributeLookup): number {
  const fromThreshold = thresholdAdjustedCount(traceState);
  if (fromThreshold !== undefined) return fromThreshold;
  if (attribute('sampler.type') === 'probabilistic') {
    const p = attribute('sampler.param');
    if (typeof p === 'number' && p > 0 && p <= 1) return 1 / p;
  }
  const rate = attribute('SampleRate');
  if (typeof rate === 'number' && Number.isFinite(rate) && rate >= 1) return rate;
  return 1;
}
