import { buildSeededRandom } from '../../workers/domain/seeded-random.js';
import {
  dayMs,
  minuteMs,
  type Incident,
  type IncidentKind,
  type ServiceProfile,
} from './scenario-traffic.js';

/**
 * The labelled week: six services of different sizes and rhythms, four weeks of history (the anomaly baseline's
 * default `weeks`) with a few incidents of their own (a baseline must not learn them), then the evaluated week
 * with the incidents the issue names (base 5xx rates of 0.01-0.06%, inside the 99.9% SLO the rules watch): 5xx bursts of 2-10 minutes, a latency shift after a deploy, a traffic drop
 * to 20%, a silent service; everything else is quiet.
 */

const api = (path: string, share: number, method = 'GET') => ({ method, path, share });

export const scenarioServices: readonly ServiceProfile[] = [
  {
    name: 'checkout',
    peakRpm: 120,
    night: 0.1,
    peakHour: 14,
    weekend: 0.7,
    errorRate: 0.0004,
    latencyMedianMs: 80,
    latencySigma: 0.5,
    endpoints: [api('/orders', 0.5, 'POST'), api('/orders/:id', 0.5)],
  },
  {
    name: 'search',
    peakRpm: 240,
    night: 0.15,
    peakHour: 13,
    weekend: 0.8,
    errorRate: 0.0002,
    latencyMedianMs: 35,
    latencySigma: 0.6,
    endpoints: [api('/search', 0.8), api('/suggest', 0.2)],
  },
  {
    name: 'catalog',
    peakRpm: 90,
    night: 0.2,
    peakHour: 16,
    weekend: 0.9,
    errorRate: 0.0001,
    latencyMedianMs: 20,
    latencySigma: 0.4,
    endpoints: [api('/products/:id', 1)],
  },
  {
    name: 'payments',
    peakRpm: 40,
    night: 0.05,
    peakHour: 15,
    weekend: 0.6,
    errorRate: 0.0005,
    latencyMedianMs: 180,
    latencySigma: 0.45,
    endpoints: [api('/charge', 1, 'POST')],
  },
  {
    name: 'auth',
    peakRpm: 150,
    night: 0.25,
    peakHour: 9,
    weekend: 0.5,
    errorRate: 0.0003,
    latencyMedianMs: 12,
    latencySigma: 0.35,
    endpoints: [api('/token', 0.7, 'POST'), api('/userinfo', 0.3)],
  },
  {
    // A back-office job runner: busy in office hours, nothing at night, barely anything at weekends.
    name: 'reports',
    peakRpm: 25,
    night: 0,
    peakHour: 11,
    weekend: 0.15,
    errorRate: 0.0006,
    latencyMedianMs: 900,
    latencySigma: 0.7,
    endpoints: [api('/reports/:id', 1)],
  },
];

/** Monday 2026-11-02 00:00 UTC: the evaluated week; history starts `historyWeeks` before it. */
export const evaluatedWeekStart = Date.UTC(2026, 10, 2);
export const historyWeeks = 4;
export const weekMs = 7 * dayMs;

const at = (day: number, hh: number, mm: number) =>
  evaluatedWeekStart + day * dayMs + (hh * 60 + mm) * minuteMs;

function incident(
  service: string,
  kind: IncidentKind,
  start: number,
  minutes: number,
  magnitude: number,
  label: string,
): Incident {
  return { service, kind, start, end: start + minutes * minuteMs, magnitude, label };
}

/** The labels: day 0 is Monday of the evaluated week. */
export const evaluatedIncidents: readonly Incident[] = [
  incident('checkout', 'error-burst', at(1, 10, 12), 2, 0.3, '2-minute 5xx burst (30%)'),
  incident('checkout', 'error-burst', at(3, 15, 40), 7, 0.15, '7-minute 5xx burst (15%)'),
  incident('search', 'error-burst', at(0, 14, 3), 5, 0.08, '5-minute 5xx burst (8%)'),
  incident(
    'search',
    'latency-shift',
    at(2, 11, 0),
    90,
    2.5,
    'latency x2.5 after a deploy, rolled back after 90 min',
  ),
  incident('catalog', 'error-burst', at(5, 3, 30), 10, 0.25, '10-minute 5xx burst at night (25%)'),
  incident('catalog', 'traffic-drop', at(4, 13, 0), 40, 0.2, 'traffic drop to 20% for 40 min'),
  incident('payments', 'error-burst', at(2, 20, 15), 3, 0.5, '3-minute 5xx burst (50%)'),
  incident('payments', 'latency-shift', at(0, 16, 0), 60, 1.6, 'latency x1.6 after a deploy for 60 min'),
  // ~7 req/min at 23:00: ~34 requests in a 5-minute window, under the anomaly rule's minRequests (50), where
  // every request of a small service turning slow must still alert (docs/adr/0110).
  incident(
    'payments',
    'latency-shift',
    at(3, 23, 0),
    30,
    3,
    'latency x3 late at night (~7 req/min) for 30 min',
  ),
  incident('auth', 'silent', at(1, 9, 20), 25, 0, 'no traffic for 25 min'),
  incident('auth', 'error-burst', at(6, 12, 0), 6, 0.05, '6-minute 5xx burst (5%) on a Sunday'),
  incident('reports', 'traffic-drop', at(3, 10, 0), 30, 0.2, 'traffic drop to 20% for 30 min'),
  incident('reports', 'silent', at(4, 14, 0), 20, 0, 'no traffic for 20 min'),
];

/**
 * Incidents in the history weeks at random times (seeded): the baseline of those minutes must stay robust (median
 * and MAD), and the detectors must still see the same incident again a week later.
 */
export function historyIncidents(seed: number): Incident[] {
  const random = buildSeededRandom(seed);
  const kinds: [IncidentKind, number][] = [
    ['error-burst', 0.2],
    ['latency-shift', 2],
    ['traffic-drop', 0.3],
    ['silent', 0],
  ];
  const start = evaluatedWeekStart - historyWeeks * weekMs;
  return Array.from({ length: 16 }, (_, i) => {
    const service = scenarioServices[i % scenarioServices.length]!.name;
    const [kind, magnitude] = kinds[Math.floor(random() * kinds.length)]!;
    const t = start + Math.floor((random() * historyWeeks * weekMs) / minuteMs) * minuteMs;
    return incident(service, kind, t, 5 + Math.floor(random() * 40), magnitude, `history ${kind}`);
  });
}

/**
 * A whole day far below its usual level that is no incident (a public holiday for checkout's customers): no label,
 * so every alert on it is a false one. It shows what a recent-level adjustment of the traffic-drop test would buy
 * (docs/adr/0110); `day` counts from Monday of the evaluated week.
 */
export const lowDays: readonly { service: string; day: number; level: number }[] = [
  { service: 'checkout', day: 4, level: 0.6 },
];

/**
 * Each day's traffic level per service from the first history day: 1 +- a few percent, fixed by the seed, and
 * the low days' level.
 */
export function dayFactors(seed: number, days: number): number[][] {
  const random = buildSeededRandom(seed + 1);
  const levels = scenarioServices.map(() => Array.from({ length: days }, () => 0.93 + 0.14 * random()));
  for (const low of lowDays) {
    const s = scenarioServices.findIndex((p) => p.name === low.service);
    const day = historyWeeks * 7 + low.day;
    if (s >= 0 && day < days) levels[s]![day] = low.level;
  }
  return levels;
}
