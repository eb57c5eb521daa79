import { buildSeededRandom } from '../domain/seeded-random.js';

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
  /** Mean requests per second at the diurnal average. */
  ratePerSecond: number;
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

const verbs = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const nouns = [
  'orders',
  'users',
  'carts',
  'items',
  'payments',
  'sessions',
  'search',
  'reviews',
  'invoices',
  'shipments',
];

/** Builds a catalogue: the first endpoint of the first service is deliberately slow. */
export function buildEndpoints(options: TrafficModelOptions): Endpoint[] {
  const random = buildSeededRandom(options.seed);
  const endpoints: Endpoint[] = [];
  for (let s = 0; s < options.services; s++) {
    for (let p = 0; p < options.pathsPerService; p++) {
      const noun = nouns[p % nouns.length]!;
      endpoints.push({
        service: `svc-${String(s).padStart(2, '0')}`,
        method: verbs[p % verbs.length]!,
        path:
          p % 2 === 0
            ? `/api/${noun}/v${Math.floor(p / nouns.length) + 1}`
            : `/api/${noun}/{id}/v${Math.floor(p / nouns.length) + 1}`,
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

/** An error spike: every 10 minutes one service fails 25% of its requests for 2 minutes. */
export function spikingService(ms: number, services: number): number | undefined {
  const window = Math.floor(ms / 600_000);
  return ms % 600_000 < 120_000 ? window % services : undefined;
}

function lognormal(random: () => number, median: number, sigma: number): number {
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return median * Math.exp(sigma * z);
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
    const count = Math.round(this.options.ratePerSecond * diurnalFactor(ms));
    const spike = spikingService(ms, this.options.services);
    return Array.from({ length: count }, () => this.fact(ms + Math.floor(this.random() * 1000), spike));
  }

  private fact(ts: number, spike: number | undefined): RequestFactBody {
    const e = this.endpoints[Math.floor(this.random() * this.endpoints.length)]!;
    const spiking = spike !== undefined && e.service === `svc-${String(spike).padStart(2, '0')}`;
    const failed = this.random() < (spiking ? 0.25 : e.baseErrorRate);
    // Heavy tail: 1% of requests are 5-50x slower than the endpoint's usual distribution.
    const tail = this.random() < 0.01 ? 5 + this.random() * 45 : 1;
    const duplicate = this.lastId !== undefined && this.random() < 0.005;
    const eventId = duplicate ? this.lastId! : `lg-${this.options.seed}-${ts}-${this.sequence++}`;
    this.lastId = eventId;
    return {
      event_id: eventId,
      timestamp: ts,
      service: e.service,
      method: e.method,
      path: e.path.replace('{id}', String(1 + Math.floor(this.random() * 100_000))),
      status_code: failed ? (this.random() < 0.8 ? 503 : 500) : this.random() < 0.04 ? 404 : 200,
      latency_ms: Math.round(lognormal(this.random, e.medianMs, 0.5) * tail * 100) / 100,
    };
  }
}
