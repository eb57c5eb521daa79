/** Number formatting shared by charts, tables and summaries; pure so every label is unit-tested. */

/** 1234 -> "1,234", 12345678 -> "12.3M": compact past a million so table columns stay narrow. */
export function formatCount(value: number): string {
  if (Math.abs(value) >= 1_000_000) return `${trim(value / 1_000_000)}M`;
  return Math.round(value).toLocaleString('en-US');
}

/** A ratio (0..1) as a percent; small non-zero rates keep two decimals so 0.04% does not read as 0%. */
export function formatPercent(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '–';
  const pct = ratio * 100;
  if (pct === 0) return '0%';
  if (pct < 1) return `${pct.toFixed(2)}%`;
  if (pct < 10) return `${pct.toFixed(1)}%`;
  return `${Math.round(pct)}%`;
}

/**
 * Latency in ms; seconds past 1 s because "1,250 ms" is harder to compare at a glance than "1.25 s". Below 1 ms the
 * unit shrinks (µs, ns) with three significant digits: the API keeps 1% relative precision for sub-millisecond
 * latencies, and "0 ms" for a 0.4 µs p50 would tell an on-call engineer the endpoint answered in no time at all.
 */
export function formatLatency(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  if (ms === 0) return '0 ms';
  if (ms >= 1000) return `${trim(ms / 1000, 2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${trim(ms, 1)} ms`;
  if (ms >= 1) return `${trim(ms, 2)} ms`;
  if (ms >= 1e-3) return `${significant(ms * 1e3)} µs`;
  return `${significant(ms * 1e6)} ns`;
}

/** Requests per second. */
export function formatThroughput(rps: number | null): string {
  if (rps === null || !Number.isFinite(rps)) return '–';
  if (rps >= 100) return `${formatCount(rps)} req/s`;
  if (rps >= 1) return `${trim(rps, 1)} req/s`;
  return `${trim(rps, 3)} req/s`;
}

/** Three significant digits without trailing zeros: 412.6 -> "413", 0.4 -> "0.4", 2e-7 -> "2e-7". */
function significant(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** Fixed decimals without trailing zeros: 1.50 -> "1.5", 2.00 -> "2". */
function trim(value: number, decimals = 1): string {
  return String(Number(value.toFixed(decimals)));
}

/** A bucket size for titles: 60000 -> "1-minute", 900000 -> "15-minute", 3600000 -> "1-hour". */
export function formatStep(stepMs: number): string {
  const minutes = Math.round(stepMs / 60_000);
  if (minutes % 1440 === 0) return `${minutes / 1440}-day`;
  if (minutes % 60 === 0) return `${minutes / 60}-hour`;
  return `${minutes}-minute`;
}
