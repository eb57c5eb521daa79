import { drawNormal } from '../domain/random-draws.js';
import { buildSeededRandom } from '../domain/seeded-random.js';
import { demoRoute, demoServiceName } from './demo-catalogue.js';

export interface Endpoint {
  service: string;
  method: string;
  /** Template with {id} where an id goes; the ingester folds ids back to :id. */
  path: string;
  medianMs: number;
  baseErrorRate: number;
}

export interface TrafficModelOptions {
  seed: number;
  services: number;
  pathsPerService: number;
  /** Mean requests per second at the diurnal (and weekly) average; every second when `flat`. */
  ratePerSecond: number;
  /** Hold the rate at ratePerSecond every second instead of following the day and week (`loadgen --flat`). */
  flat?: boolean;
  /** Incidents the facts show (demo history); none by default. */
  incidents?: readonly TrafficIncident[];
}

export interface RequestFactBody {
  event_id: string;
  timestamp: number;
  service: string;
  method: string;
  path: string;
  status_code: number;
  latency_ms: number;
}

/** Builds a catalogue (demo-catalogue.ts): the first endpoint of the first service is deliberately slow. */
export function buildEndpoints(options: TrafficModelOptions): Endpoint[] {
  const random = buildSeededRandom(options.seed);
  const endpoints: Endpoint[] = [];
  for (let s = 0; s < options.services; s++) {
    for (let p = 0; p < options.pathsPerService; p++) {
      endpoints.push({
        service: demoServiceName(s),
        ...demoRoute(s, p),
        medianMs: s === 0 && p === 0 ? 800 : 5 + random() * 120,
        baseErrorRate: 0.002 + random() * 0.01,
      });
    }
  }
  return endpoints;
}

/** Diurnal multiplier: quiet at night (UTC), busiest mid-afternoon; averages 1 over a day. */
export function diurnalFactor(ms: number): number {
  const hour = (ms / 3_600_000) % 24;
  return 1 + 0.6 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
}

const DAY_MS = 86_400_000;

/**
 * Weekly multiplier: Saturdays and Sundays (UTC) carry 65% of a weekday's traffic; averages 1 over a week, so
 * --rate stays the mean rate.
 */
export function weeklyFactor(ms: number): number {
  // 1970-01-01 was a Thursday: day 2 of the epoch is a Saturday.
  const weekday = (Math.floor(ms / DAY_MS) + 4) % 7;
  const weekend = weekday === 0 || weekday === 6;
  return weekend ? 0.65 : (7 - 2 * 0.65) / 5;
}

/** A stretch of worse service (demo history): one service's errors and/or latency raised for a while. */
export interface TrafficIncident {
  service: string;
  from: number;
  to: number;
  /** Share of requests that fail during the incident (instead of the endpoint's usual rate). */
  errorRate?: number;
  /** Latency multiplier during the incident. */
  latencyFactor?: number;
}

/** An error spike: every 10 minutes one service fails 25% of its requests for 2 minutes. */
export function spikingService(ms: number, services: number): number | undefined {
  const window = Math.floor(ms / 600_000);
  return ms % 600_000 < 120_000 ? window % services : undefined;
}

function lognormal(random: () => number, median: number, sigma: number): number {
  return median * Math.exp(sigma * drawNormal(random));
}

/** Generates facts for one second of traffic starting at `ms`; ~0.5% repeat an earlier event_id (client retries). */
export class TrafficModel {
  readonly endpoints: Endpoint[];
  private readonly random: () => number;
  private sequence = 0;
  private lastId: string | undefined;

  constructor(private readonly options: TrafficModelOptions) {
    this.endpoints = buildEndpoints(options);
    this.random = buildSeededRandom(options.seed + 1);
  }

  second(ms: number): RequestFactBody[] {
    // A fractional mean (a low --rate) is kept on average: the remainder becomes one more request by chance.
    const mean = this.options.flat
      ? this.options.ratePerSecond
      : this.options.ratePerSecond * diurnalFactor(ms) * weeklyFactor(ms);
    const count = Math.floor(mean) + (this.random() < mean % 1 ? 1 : 0);
    const spike = spikingService(ms, this.options.services);
    const spiking = spike === undefined ? undefined : demoServiceName(spike);
    const incidents = (this.options.incidents ?? []).filter((i) => ms >= i.from && ms < i.to);
    return Array.from({ length: count }, () =>
      this.fact(ms + Math.floor(this.random() * 1000), spiking, incidents),
    );
  }

  private fact(
    ts: number,
    spiking: string | undefined,
    incidents: readonly TrafficIncident[],
  ): RequestFactBody {
    const e = this.endpoints[Math.floor(this.random() * this.endpoints.length)]!;
    const incident = incidents.find((i) => i.service === e.service);
    const errorRate = incident?.errorRate ?? (e.service === spiking ? 0.25 : e.baseErrorRate);
    const failed = this.random() < errorRate;
    // Heavy tail: 1% of requests are 5-50x slower than the endpoint's usual distribution.
    const tail = (this.random() < 0.01 ? 5 + this.random() * 45 : 1) * (incident?.latencyFactor ?? 1);
    const duplicate = this.lastId !== undefined && this.random() < 0.005;
    const eventId = duplicate ? this.lastId! : `lg-${this.options.seed}-${ts}-${this.sequence++}`;
    this.lastId = eventId;
    return {
      event_id: eventId,
      timestamp: ts,
      service: e.service,
      method: e.method,
      path: e.path.replace(/\{id\}/g, () => String(1 + Math.floor(this.random() * 100_000))),
      status_code: failed ? (this.random() < 0.8 ? 503 : 500) : this.random() < 0.04 ? 404 : 200,
      latency_ms: Math.round(lognormal(this.random, e.medianMs, 0.5) * tail * 100) / 100,
    };
  }
}
