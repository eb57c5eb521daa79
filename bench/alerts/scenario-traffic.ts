import type { MinuteFactInput } from '../../workers/domain/minute-metrics.js';
import { drawNormal, drawPoisson } from '../../workers/domain/random-draws.js';

/**
 * The labelled scenario's traffic: services with diurnal and weekly seasonality, Poisson arrivals, a base error
 * rate and lognormal latencies with a heavy tail, plus injected incidents (the labels the detectors are scored
 * against). Pure: the same seed gives the same facts.
 */

export interface ServiceProfile {
  name: string;
  /** Requests per minute at the daily peak of a weekday. */
  peakRpm: number;
  /** Share of the peak at the quietest hour (0: no traffic at night). */
  night: number;
  /** Hour of the day (UTC) traffic peaks. */
  peakHour: number;
  /** Share of weekday traffic on Saturday and Sunday. */
  weekend: number;
  /** Base share of 5xx. */
  errorRate: number;
  latencyMedianMs: number;
  /** Lognormal sigma of latencies. */
  latencySigma: number;
  endpoints: readonly { method: string; path: string; share: number }[];
}

export type IncidentKind = 'error-burst' | 'latency-shift' | 'traffic-drop' | 'silent';

export interface Incident {
  service: string;
  kind: IncidentKind;
  /** First minute (ms) and end (exclusive) of the incident. */
  start: number;
  end: number;
  /** error-burst: share of 5xx; latency-shift: latency multiplier; traffic-drop: share of traffic left. */
  magnitude: number;
  label: string;
}

export const minuteMs = 60_000;
export const dayMs = 86_400_000;

/** How much of the weekday peak a minute gets: a smooth daily cycle around peakHour, lower at weekends. */
export function seasonalShare(p: ServiceProfile, t: number): number {
  const hour = (t % dayMs) / 3_600_000;
  const phase = (2 * Math.PI * (hour - p.peakHour)) / 24;
  const cycle = (1 + Math.cos(phase)) / 2; // 1 at the peak, 0 twelve hours away
  const day = new Date(t).getUTCDay();
  const week = day === 0 || day === 6 ? p.weekend : 1;
  return week * (p.night + (1 - p.night) * cycle ** 1.5);
}

/** What the incidents active at minute t do to a service: traffic factor, extra 5xx share, latency factor. */
function effects(incidents: readonly Incident[], service: string, t: number) {
  let [traffic, errors, latency] = [1, 0, 1];
  for (const i of incidents) {
    if (i.service !== service || t < i.start || t >= i.end) continue;
    if (i.kind === 'silent') traffic = 0;
    if (i.kind === 'traffic-drop') traffic *= i.magnitude;
    if (i.kind === 'error-burst') errors = Math.max(errors, i.magnitude);
    if (i.kind === 'latency-shift') latency *= i.magnitude;
  }
  return { traffic, errors, latency };
}

/**
 * The facts of one minute of one service: `dayFactor` is that day's random level (days differ by a few
 * percent, as real ones do), so the baseline has honest day-to-day spread.
 */
export function minuteFacts(
  p: ServiceProfile,
  t: number,
  dayFactor: number,
  incidents: readonly Incident[],
  random: () => number,
  emit: (fact: MinuteFactInput) => void,
): void {
  const effect = effects(incidents, p.name, t);
  // Exact up to 30, the normal approximation above (plenty for request counts).
  const n = drawPoisson(random, p.peakRpm * seasonalShare(p, t) * dayFactor * effect.traffic);
  for (let i = 0; i < n; i++) {
    const pick = random();
    let endpoint = p.endpoints[0]!;
    let acc = 0;
    for (const e of p.endpoints) {
      acc += e.share;
      if (pick < acc) {
        endpoint = e;
        break;
      }
    }
    const errorShare = Math.max(p.errorRate, effect.errors);
    const roll = random();
    const status =
      roll < errorShare ? 503 : roll < errorShare + 0.03 ? 404 : roll < errorShare + 0.05 ? 302 : 200;
    // A 0.5% heavy tail (cache misses, retries) on top of the lognormal body.
    const tail = random() < 0.005 ? 8 : 1;
    const latency = p.latencyMedianMs * Math.exp(p.latencySigma * drawNormal(random)) * tail * effect.latency;
    emit({
      ts: t + Math.floor(random() * minuteMs),
      service: p.name,
      method: endpoint.method,
      path: endpoint.path,
      status_code: status,
      latency_ms: latency,
    });
  }
}
