import type { TrafficIncident } from './traffic-model.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A deploy or incident marker as `POST /api/v1/events` takes it. */
export interface ServiceEventBody {
  type: 'deploy' | 'incident';
  service: string;
  version?: string;
  timestamp: number;
  description?: string;
}

export interface HistoryPlan {
  from: number;
  to: number;
  incidents: TrafficIncident[];
  events: ServiceEventBody[];
}

/** What went wrong, where in the history (a share of its span), for how long, and what caused it. */
const incidentTemplates = [
  {
    at: 0.2,
    service: 1,
    minutes: 20,
    errorRate: 0.3,
    description: 'Card processor timeouts: 30% of payment calls fail with 503 until the processor recovers',
  },
  {
    at: 0.55,
    service: 2,
    minutes: 45,
    latencyFactor: 6,
    description: 'Search index rebuild saturates the cluster: p99 latency above 2 s',
  },
  {
    at: 0.85,
    service: 0,
    minutes: 15,
    errorRate: 0.15,
    afterDeploy: true,
    description: 'Bad deploy: checkout confirmation fails for 15% of orders, rolled back',
  },
] as const;

/**
 * The back-dated week(s) of the demo (`gravix dev --demo --history 8d`), pure: deploys of every service on
 * weekdays during working hours (two a day, a service's own minutes past the hour) and a few incidents, each with
 * its marker (the third right after a deploy of its service, which the next deploy rolls back). `services` are the
 * traffic's service names; incidents need at least an hour of history.
 */
export function buildHistoryPlan(from: number, to: number, services: readonly string[]): HistoryPlan {
  const events: ServiceEventBody[] = [];
  const versions = new Map<string, number>();
  const deploy = (service: string, timestamp: number, description?: string) => {
    const n = (versions.get(service) ?? 0) + 1;
    versions.set(service, n);
    events.push({
      type: 'deploy',
      service,
      version: `v2.${n}.0`,
      timestamp,
      ...(description && { description }),
    });
  };
  for (let day = Math.floor(from / DAY) * DAY; day < to; day += DAY) {
    const weekday = (Math.floor(day / DAY) + 4) % 7;
    if (weekday === 0 || weekday === 6) continue;
    services.forEach((service, s) => {
      for (const hour of [10, 15]) {
        const at = day + hour * HOUR + ((s * 17) % 60) * MINUTE;
        if (at >= from && at < to) deploy(service, at);
      }
    });
  }
  const incidents: TrafficIncident[] = [];
  if (to - from >= HOUR && services.length > 0) {
    for (const t of incidentTemplates) {
      const service = services[t.service % services.length]!;
      const start = Math.floor((from + (to - from) * t.at) / MINUTE) * MINUTE;
      const end = Math.min(to, start + t.minutes * MINUTE);
      if ('afterDeploy' in t) deploy(service, start - MINUTE, 'release with the new confirmation flow');
      incidents.push({
        service,
        from: start,
        to: end,
        ...('errorRate' in t && { errorRate: t.errorRate }),
        ...('latencyFactor' in t && { latencyFactor: t.latencyFactor }),
      });
      events.push({ type: 'incident', service, timestamp: start, description: t.description });
      if ('afterDeploy' in t) deploy(service, end, 'rollback');
    }
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  return { from, to, incidents, events };
}
