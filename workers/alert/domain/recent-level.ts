import type { AnomalySpec } from '../../../crds/gravix-alert-rule-spec.js';
import { median, minBaselineSamples } from './seasonal-baseline.js';

/**
 * The recent-level adjustment of the traffic-drop test (ADR 0117, ADR 0110 section 3). A series whose traffic has
 * sat at 60% of its seasonal level for hours (a holiday for its customers, a new normal) is not having an incident
 * every few minutes: the level of the hours before the window, against the same hours at every baseline offset,
 * scales what the window and the newest minutes are expected to send. A sudden drop is judged against the level
 * before it, so it still alerts; a drop that lasts longer than the span becomes the level, down to `floor`.
 */
export interface LevelInput {
  /** Requests of the span before the window, now. */
  recent: number;
  /** Requests of the same span at each baseline offset the tenant had data for (0: the series sent none). */
  samples: readonly number[];
}

export interface RecentLevel {
  /** The factor the seasonal rate is scaled by: in [floor, 1]. */
  factor: number;
  recent: number;
  usual: number;
}

/**
 * The recent level, or undefined without three baseline spans that sent something. The level is taken at the
 * recent count's upper Poisson bound (about 97.5%: count + 2 sqrt(count) + 2), so a span of few requests lowers
 * it only when the drop is sure, never by chance, and it is at most 1: traffic above its usual level is not a
 * drop to look for.
 */
export function recentLevel(spec: AnomalySpec['recentLevel'], input: LevelInput | undefined) {
  if (!spec.enabled || !input || input.samples.length < minBaselineSamples) return undefined;
  const usual = median(input.samples);
  if (!(usual > 0)) return undefined;
  const upper = input.recent + 2 * Math.sqrt(input.recent) + 2;
  const factor = Math.max(spec.floor, Math.min(1, upper / usual));
  return { factor, recent: input.recent, usual };
}

/** "; 3,600 requests in the 1h before where ~6,000 are usual (60%): expected scaled to 62%" */
export function describeLevel(level: RecentLevel | undefined, span: string): string {
  if (!level || level.factor >= 1) return '';
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const pct = (v: number) => `${Math.round(100 * v)}%`;
  return (
    `; ${n(level.recent)} requests in the ${span} before where ~${n(level.usual)} are usual ` +
    `(${pct(level.recent / level.usual)}): expected scaled to ${pct(level.factor)}`
  );
}
