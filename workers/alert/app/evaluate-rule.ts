import { parseDurationMs, type NamedAlertRule } from '../../../crds/gravix-alert-rule-spec.js';
import { evaluateAnomaly, type AnomalyInput } from '../domain/evaluate-anomaly.js';
import { evaluateSilence } from '../domain/evaluate-silence.js';
import { evaluateSlo, sloWindowMs, sloWindowNames, type SloWindowName } from '../domain/evaluate-slo.js';
import { evaluateThreshold } from '../domain/evaluate-threshold.js';
import type { Observation } from '../domain/observation.js';
import { baselineOffsets } from '../domain/seasonal-baseline.js';
import { seriesId, type SeriesKey, type SeriesWindow } from '../domain/series-window.js';
import type { AlertData } from './alert-data.js';

const minuteMs = 60_000;
const keyOf = (w: SeriesWindow): SeriesKey => ({ service: w.service, method: w.method, path: w.path });
const byId = (rows: readonly SeriesWindow[]) => new Map(rows.map((w) => [seriesId(keyOf(w)), w]));

/** The current window and the same window at every baseline offset that had data, per series. */
async function seasonal(
  data: AlertData,
  rule: NamedAlertRule,
  end: number,
  spanMs: number,
  weeks: number,
  signal?: AbortSignal,
) {
  const read = (offset: number) =>
    data.windows(rule.selector.tenant, rule.selector, end - spanMs - offset, end - offset, signal);
  const current = byId(await read(0));
  const samples = (await Promise.all(baselineOffsets(end - minuteMs, weeks).map(read)))
    .filter((rows) => rows.length > 0)
    .map(byId);
  const keys = new Map<string, SeriesKey>();
  for (const map of [current, ...samples]) for (const [id, w] of map) keys.set(id, keyOf(w));
  return { current, samples, keys };
}

/**
 * The newest 1, 2, ... minutes up to the whole window (the last span is the window already read), for the
 * minute-by-minute traffic-drop and latency-shift tests: one more read per minute of the window, of the newest
 * minutes only.
 */
async function recentSpans(
  data: AlertData,
  rule: NamedAlertRule,
  end: number,
  spanMs: number,
  window: Map<string, SeriesWindow>,
  signal?: AbortSignal,
): Promise<Map<string, SeriesWindow>[]> {
  const spans: Map<string, SeriesWindow>[] = [];
  for (let ms = minuteMs; ms < spanMs; ms += minuteMs)
    spans.push(byId(await data.windows(rule.selector.tenant, rule.selector, end - ms, end, signal)));
  return [...spans, window];
}

/**
 * What one rule sees at one committed minute (`minute` is its start): reads the windows its kind needs through
 * the AlertData port and hands them to the pure evaluator of that kind.
 */
export async function evaluateRule(
  data: AlertData,
  rule: NamedAlertRule,
  minute: number,
  signal?: AbortSignal,
): Promise<Observation[]> {
  const end = minute + minuteMs;
  const { tenant } = rule.selector;
  if (rule.threshold) {
    const from = end - parseDurationMs(rule.threshold.window);
    return evaluateThreshold(rule.threshold, await data.windows(tenant, rule.selector, from, end, signal));
  }
  if (rule.slo) {
    const slo = rule.slo;
    const windows = new Map<SloWindowName, Map<string, SeriesWindow>>();
    const keys = new Map<string, SeriesKey>();
    for (const name of sloWindowNames) {
      const rows = await data.windows(tenant, rule.selector, end - sloWindowMs(slo, name), end, signal);
      windows.set(name, byId(rows));
      for (const w of rows) keys.set(seriesId(keyOf(w)), keyOf(w));
    }
    return evaluateSlo(slo, windows, keys);
  }
  if (rule.anomaly) {
    const spec = rule.anomaly;
    const { current, samples, keys } = await seasonal(
      data,
      rule,
      end,
      parseDurationMs(spec.window),
      spec.weeks,
      signal,
    );
    // The newest minutes serve both the traffic-drop and the latency-shift test: one set of reads for either.
    const recent = spec.metrics.some((m) => m === 'throughput' || m === 'p95')
      ? await recentSpans(data, rule, end, parseDurationMs(spec.window), current, signal)
      : undefined;
    const inputs: AnomalyInput[] = [...keys].map(([id, key]) => ({
      key,
      current: current.get(id),
      samples: samples.map((s) => s.get(id)).filter((w): w is SeriesWindow => w !== undefined),
      recent: recent?.map((span) => span.get(id)),
    }));
    return evaluateAnomaly(spec, inputs, minute);
  }
  if (rule.silence) {
    const spec = rule.silence;
    const { current, samples, keys } = await seasonal(
      data,
      rule,
      end,
      spec.minutes * minuteMs,
      spec.weeks,
      signal,
    );
    const inputs = [...keys].map(([id, key]) => ({
      key,
      requests: current.get(id)?.requests ?? 0,
      // A sample day the tenant sent data but this series none counts as zero: it was quiet then too.
      samples: samples.map((s) => s.get(id)?.requests ?? 0),
    }));
    return evaluateSilence(spec, inputs, minute);
  }
  return [];
}
