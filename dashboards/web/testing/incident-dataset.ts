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
  const random = buildSeededRandom(19);
  const records: RawRecord[] = [];
  const burstStart = nowMinute - 5 * HOUR;
  let id = 0;
  const fact = (f: Omit<RawFact, 'kind' | 'tenant' | 'event_id'>) =>
    records.push({ kind: 'fact', tenant: TENANT, event_id: `f${++id}`, ...f });
  const between = ([lo, hi]: readonly [number, number]) => lo + random() * (hi - lo);

  const steady = (from: number, to: number, lastWeek: boolean) => {
    for (let m = from; m < to; m += MINUTE) {
      for (const e of STEADY) {
        for (let i = 0; i < e.perMinute; i++) {
          const ts = m + Math.floor(((i + 0.5) * MINUTE) / e.perMinute);
          if (ts >= now) continue;
          const inBurst = e.service === 'payments' && m >= burstStart && m < burstStart + 2 * MINUTE;
          // Every 50th payments request fails; a week ago every 200th; in the burst every second one.
          const every = inBurst ? 2 : e.service === 'payments' ? (lastWeek ? 200 : 50) : 0;
          const n = Math.floor((m - from) / MINUTE) * e.perMinute + i;
          const status = every > 0 && n % every === 0 ? 503 : 200;
          fact({
            ts,
            service: e.service,
            method: e.method,
            path: e.path,
            status_code: status,
            latency_ms: between(e.latency),
          });
        }
      }
    }
  };
  steady(nowMinute - 26 * HOUR, nowMinute + MINUTE, false);
  steady(nowMinute - 7 * DAY - 2 * HOUR, nowMinute - 7 * DAY + 2 * HOUR, true);

  // The newest minute must be visibly partial whatever second the test starts at: one request early in it.
  if (!records.some((r) => r.ts >= nowMinute)) {
    fact({
      ts: nowMinute,
      service: 'checkout',
      method: 'GET',
      path: '/cart',
      status_code: 200,
      latency_ms: 30,
    });
  }

  const suggestMinute = nowMinute - 30 * MINUTE;
  fact({
    ts: suggestMinute + 1_000,
    service: 'search',
    method: 'GET',
    path: '/suggest',
    status_code: 200,
    latency_ms: 12,
  });
  fact({
    ts: suggestMinute + 2_000,
    service: 'search',
    method: 'GET',
    path: '/suggest',
    status_code: 200,
    latency_ms: 1230,
  });

  for (let i = 0; i < 25; i++) {
    const ts = nowMinute - 40 * MINUTE + i * 1_000;
    fact({
      ts,
      service: 'catalog',
      method: 'GET',
      path: `/items/v${i}`,
      status_code: i === 7 ? 500 : 200,
      latency_ms: 15,
    });
  }

  const legacy = nowMinute - 3 * DAY;
  for (let i = 0; i < 30; i++) {
    fact({
      ts: legacy + i * MINUTE,
      service: 'legacy-auth',
      method: 'POST',
      path: '/login',
      status_code: 200,
      latency_ms: 40,
    });
  }

  const event = (
    ts: number,
    type: RawServiceEvent['type'],
    service: string,
    extra: Partial<RawServiceEvent>,
  ) => records.push({ kind: 'event', tenant: TENANT, event_id: `e${++id}`, ts, type, service, ...extra });
  const incidentAt = burstStart + 30_000;
  event(incidentAt, 'incident', 'payments', { description: 'Card processor timeouts' });
  // A deploy storm 2 days ago (12 deploys in 2 hours) and a deploy every 6 hours over the week.
  for (let i = 0; i < 12; i++) {
    event(nowMinute - 2 * DAY + i * 10 * MINUTE, 'deploy', STEADY[i % 3]!.service, { version: `v2.${i}` });
  }
  for (let h = 6; h < 7 * 24; h += 6) {
    event(nowMinute - h * HOUR, 'deploy', 'checkout', { version: `v1.${h}`, description: `rollout ${h}` });
  }
  return {
    records,
    landmarks: { now, nowMinute, burstStart, incidentAt, suggestMinute, legacyAt: legacy },
  };
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
