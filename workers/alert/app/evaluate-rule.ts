import {
  parseDurationMs,
  type AnomalySpec,
  type NamedAlertRule,
} from '../../../crds/gravix-alert-rule-spec.js';
import { evaluateAnomaly, type AnomalyInput } from '../domain/evaluate-anomaly.js';
import { evaluateSilence } from '../domain/evaluate-silence.js';
import { evaluateSlo, sloWindowMs, sloWindowNames, type SloWindowName } from '../domain/evaluate-slo.js';
import { evaluateThreshold } from '../domain/evaluate-threshold.js';
import type { Observation } from '../domain/observation.js';
import type { LevelInput } from '../domain/recent-level.js';
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
 * The requests of the `recentLevel.span` before the window, now and at every baseline offset, per series (ADR
 * 0117): one more read now and one per offset, of totals only. Ending where the window starts, a sudden drop is
 * judged against the level before it.
 */
async function levelSpans(
  data: AlertData,
  rule: NamedAlertRule,
  windowStart: number,
  spec: AnomalySpec,
  signal?: AbortSignal,
): Promise<Map<string, LevelInput>> {
  const spanMs = parseDurationMs(spec.recentLevel.span);
  const read = async (offset: number) =>
    byId(
      await data.windows(
        rule.selector.tenant,
        rule.selector,
        windowStart - spanMs - offset,
        windowStart - offset,
        signal,
      ),
    );
  const recent = await read(0);
  const samples = (await Promise.all(baselineOffsets(windowStart - minuteMs, spec.weeks).map(read))).filter(
    (rows) => rows.size > 0,
  );
  const ids = new Set([...recent.keys(), ...samples.flatMap((m) => [...m.keys()])]);
  // A baseline span the tenant sent data in but this series none counts as zero, as the silence rule counts it.
  return new Map(
    [...ids].map((id) => [
      id,
      { recent: recent.get(id)?.requests ?? 0, samples: samples.map((m) => m.get(id)?.requests ?? 0) },
    ]),
  );
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
    const windowMs = parseDurationMs(spec.window);
    const levels =
      spec.metrics.includes('throughput') && spec.recentLevel.enabled
        ? await levelSpans(data, rule, end - windowMs, spec, signal)
        : undefined;
    const inputs: AnomalyInput[] = [...keys].map(([id, key]) => ({
      key,
      current: current.get(id),
      samples: samples.map((s) => s.get(id)).filter((w): w is SeriesWindow => w !== undefined),
      recent: recent?.map((span) => span.get(id)),
      level: levels?.get(id),
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
