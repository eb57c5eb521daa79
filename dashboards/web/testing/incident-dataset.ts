import { buildSeededRandom } from '../../../workers/domain/seeded-random.js';
import type { RawFact, RawRecord, RawServiceEvent } from '../../../workers/domain/raw-record.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const TENANT = 'acme';

/** Steady endpoints: requests every minute of the last 26 hours (and around the same time a week ago). */
export const STEADY = [
  { service: 'checkout', method: 'GET', path: '/cart', perMinute: 6, latency: [20, 60] },
  { service: 'payments', method: 'POST', path: '/charge', perMinute: 4, latency: [80, 200] },
  { service: 'search', method: 'GET', path: '/search', perMinute: 5, latency: [10, 40] },
] as const;
export const STEADY_PER_MINUTE = STEADY.reduce((n, e) => n + e.perMinute, 0);

/**
 * What an on-call engineer meets in an incident, as raw facts relative to `now` (the tests then roll them up
 * with the real rollup and serve them with the real query server):
 * - steady traffic up to `now`, so the newest minute is still filling (defect 1: the partial right edge);
 * - a 2-minute burst of 5xx on payments 5 h ago (defect 3: hidden in 15-minute and 1-hour buckets), with an
 *   incident that has a description, and a storm of deploys (defect 4);
 * - 25 catalog endpoints seen once in the last hour, one of them failing (defect 5: paging and volume floor);
 * - GET /suggest with only a 12 ms and a 1.23 s request in one minute (defect 6: low-traffic percentiles, max);
 * - legacy-auth, which only had traffic 3 days ago (defect 7: the service list);
 * - the same hours a week ago with a lower payments error rate (week-over-week).
 */
export function buildIncidentDataset(now: number): { records: RawRecord[]; landmarks: Landmarks } {
  const nowMinute = Math.floor(now / MINUTE) * MINUTE;
  const landmarks: Landmarks = {
    now,
    nowMinute,
    burstStart: nowMinute - 5 * HOUR,
    incidentAt: nowMinute - 5 * HOUR + 30_000,
    suggestMinute: nowMinute - 30 * MINUTE,
    legacyAt: nowMinute - 3 * DAY,
  };
  const b = new RecordsBuilder(buildSeededRandom(19));
  b.steady(nowMinute - 26 * HOUR, nowMinute + MINUTE, now, landmarks.burstStart, 50);
  b.steady(nowMinute - 7 * DAY - 2 * HOUR, nowMinute - 7 * DAY + 2 * HOUR, now, null, 200);
  // The newest minute must be visibly partial whatever second the test starts at: one request early in it.
  if (!b.records.some((r) => r.ts >= nowMinute)) b.fact(nowMinute, 'checkout', 'GET', '/cart', 200, 30);
  b.fact(landmarks.suggestMinute + 1_000, 'search', 'GET', '/suggest', 200, 12);
  b.fact(landmarks.suggestMinute + 2_000, 'search', 'GET', '/suggest', 200, 1230);
  for (let i = 0; i < 25; i++) {
    b.fact(nowMinute - 40 * MINUTE + i * 1_000, 'catalog', 'GET', `/items/v${i}`, i === 7 ? 500 : 200, 15);
  }
  for (let i = 0; i < 30; i++)
    b.fact(landmarks.legacyAt + i * MINUTE, 'legacy-auth', 'POST', '/login', 200, 40);
  b.event(landmarks.incidentAt, 'incident', 'payments', { description: 'Card processor timeouts' });
  // A deploy storm 2 days ago (12 deploys in 2 hours) and a deploy every 6 hours over the week.
  for (let i = 0; i < 12; i++) {
    b.event(nowMinute - 2 * DAY + i * 10 * MINUTE, 'deploy', STEADY[i % 3]!.service, { version: `v2.${i}` });
  }
  for (let h = 6; h < 7 * 24; h += 6) {
    b.event(nowMinute - h * HOUR, 'deploy', 'checkout', { version: `v1.${h}`, description: `rollout ${h}` });
  }
  return { records: b.records, landmarks };
}

class RecordsBuilder {
  readonly records: RawRecord[] = [];
  private id = 0;
  constructor(private readonly random: () => number) {}

  fact(ts: number, service: string, method: string, path: string, status: number, latency: number): void {
    const f: RawFact = {
      kind: 'fact',
      tenant: TENANT,
      event_id: `f${++this.id}`,
      ts,
      service,
      method,
      path,
      status_code: status,
      latency_ms: latency,
    };
    this.records.push(f);
  }

  event(ts: number, type: RawServiceEvent['type'], service: string, extra: Partial<RawServiceEvent>): void {
    this.records.push({
      kind: 'event',
      tenant: TENANT,
      event_id: `e${++this.id}`,
      ts,
      type,
      service,
      ...extra,
    });
  }

  /**
   * Every STEADY endpoint's requests, evenly spaced, up to `now`. Every `failEvery`-th payments request fails; in
   * the two minutes from `burstStart` every second one does.
   */
  steady(from: number, to: number, now: number, burstStart: number | null, failEvery: number): void {
    for (let m = from; m < to; m += MINUTE) {
      const inBurst = burstStart !== null && m >= burstStart && m < burstStart + 2 * MINUTE;
      for (const e of STEADY)
        this.minute(m, e, now, e.service === 'payments' ? (inBurst ? 2 : failEvery) : 0, (m - from) / MINUTE);
    }
  }

  private minute(m: number, e: (typeof STEADY)[number], now: number, every: number, index: number): void {
    for (let i = 0; i < e.perMinute; i++) {
      const ts = m + Math.floor(((i + 0.5) * MINUTE) / e.perMinute);
      if (ts >= now) return;
      const n = index * e.perMinute + i;
      const status = every > 0 && n % every === 0 ? 503 : otherStatus(e.service, n);
      const [lo, hi] = e.latency;
      this.fact(ts, e.service, e.method, e.path, status, lo + this.random() * (hi - lo));
    }
  }
}

/** Besides payments' 5xx: search answers 404 to every 10th request and checkout 304 to every 6th (status breakdown). */
function otherStatus(service: string, n: number): number {
  if (service === 'search' && n % 10 === 3) return 404;
  if (service === 'checkout' && n % 6 === 1) return 304;
  return 200;
}

export interface Landmarks {
  now: number;
  nowMinute: number;
  /** First of the two minutes in which every second payments request failed. */
  burstStart: number;
  incidentAt: number;
  /** The only minute with GET /suggest requests (12 ms and 1.23 s). */
  suggestMinute: number;
  legacyAt: number;
}
