import type { RawFact, RawServiceEvent } from '../../domain/raw-record.js';

export { buildSeededRandom } from '../../domain/seeded-random.js';
import { drawNormal } from '../../domain/random-draws.js';
import { buildSeededRandom } from '../../domain/seeded-random.js';

/** Lognormal around ~40 ms with a Pareto tail on 2% of requests, so p99/p99.9 are far from the median. */
function latency(random: () => number): number {
  const base = Math.exp(Math.log(40) + 0.8 * drawNormal(random));
  if (random() < 0.02) return base * Math.pow(1 - random(), -1 / 1.5);
  if (random() < 0.005) return 0;
  return Math.round(base * 1000) / 1000;
}

const services = ['checkout', 'search', 'auth'];
const routes = [
  ['GET', '/api/items/:id'],
  ['POST', '/api/orders'],
  ['GET', '/health'],
  ['DELETE', '/api/items/:id'],
] as const;

function statusCode(random: () => number): number {
  const r = random();
  if (r < 0.03) return 500 + Math.floor(random() * 4);
  if (r < 0.08) return 400 + Math.floor(random() * 30);
  // Every status class occurs, 1xx included, so the status breakdown is checked class by class.
  if (r < 0.1) return 302;
  return r < 0.102 ? 101 : 200;
}

export interface SeededFactsOptions {
  seed: number;
  count: number;
  tenant?: string;
  /** Event times fall uniformly in [fromMs, fromMs + spanMs). */
  fromMs: number;
  spanMs?: number;
  idPrefix?: string;
}

export function buildSeededFacts(options: SeededFactsOptions): RawFact[] {
  const random = buildSeededRandom(options.seed);
  const span = options.spanMs ?? 3_600_000;
  const facts: RawFact[] = [];
  for (let i = 0; i < options.count; i++) {
    const [method, path] = routes[Math.floor(random() * routes.length)]!;
    facts.push({
      kind: 'fact',
      tenant: options.tenant ?? 'acme',
      event_id: `${options.idPrefix ?? 'e'}${options.seed}-${i}`,
      ts: options.fromMs + Math.floor(random() * span),
      service: services[Math.floor(random() * services.length)]!,
      method,
      path,
      status_code: statusCode(random),
      latency_ms: latency(random),
    });
  }
  return facts;
}

export function buildServiceEvent(overrides: Partial<RawServiceEvent> = {}): RawServiceEvent {
  return {
    kind: 'event',
    tenant: 'acme',
    event_id: 'deploy-1',
    ts: Date.parse('2026-11-20T10:15:00Z'),
    type: 'deploy',
    service: 'checkout',
    version: 'v1.2.3',
    description: 'rolled out v1.2.3',
    ...overrides,
  };
}

/** Exact quantile with the sketch's rank rule: the value at 0-based rank floor(q * (n - 1)). */
export function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}
