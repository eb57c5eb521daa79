import { demoRoute, demoServiceName } from './demo-catalogue.js';
import {
  TrafficModel,
  buildEndpoints,
  diurnalFactor,
  spikingService,
  weeklyFactor,
} from './traffic-model.js';

const options = { seed: 3, services: 4, pathsPerService: 5, ratePerSecond: 500 };
const noon = Date.parse('2026-11-23T12:00:30Z');
const DAY = 86_400_000;

describe('loadgen traffic model', () => {
  it('is busier in the afternoon than at night and averages the configured rate over a day', () => {
    expect(diurnalFactor(Date.parse('2026-11-23T15:00:00Z'))).toBeGreaterThan(1.5);
    expect(diurnalFactor(Date.parse('2026-11-23T03:00:00Z'))).toBeLessThan(0.5);
    const hours = Array.from({ length: 24 }, (_, h) =>
      diurnalFactor(Date.parse('2026-11-23T00:00:00Z') + h * 3_600_000),
    );
    expect(hours.reduce((a, b) => a + b) / 24).toBeCloseTo(1, 5);
  });

  it('is quieter on weekends and averages the configured rate over a week', () => {
    // 2026-11-21 is a Saturday, 2026-11-23 a Monday.
    expect(weeklyFactor(Date.parse('2026-11-21T12:00:00Z'))).toBe(0.65);
    expect(weeklyFactor(Date.parse('2026-11-22T23:59:00Z'))).toBe(0.65);
    expect(weeklyFactor(Date.parse('2026-11-23T00:00:00Z'))).toBeCloseTo(1.14, 5);
    const days = Array.from({ length: 7 }, (_, d) =>
      weeklyFactor(Date.parse('2026-11-23T12:00:00Z') + d * DAY),
    );
    expect(days.reduce((a, b) => a + b) / 7).toBeCloseTo(1, 5);
  });

  it('makes one service fail a quarter of its requests during a spike window', () => {
    const spikeStart = Date.parse('2026-11-23T12:10:00Z');
    const service = spikingService(spikeStart + 1000, 4)!;
    const model = new TrafficModel(options);
    const facts = Array.from({ length: 20 }, (_, i) => model.second(spikeStart + i * 1000)).flat();
    const spiked = facts.filter((f) => f.service === demoServiceName(service));
    const rate = spiked.filter((f) => f.status_code >= 500).length / spiked.length;
    expect(rate).toBeGreaterThan(0.18);
    expect(rate).toBeLessThan(0.32);
    expect(spikingService(spikeStart + 180_000, 4)).toBeUndefined();
  });

  it('has a slow endpoint, a heavy latency tail, id-like paths and a few duplicate event ids', () => {
    const model = new TrafficModel(options);
    const facts = Array.from({ length: 30 }, (_, i) => model.second(noon + i * 1000)).flat();
    const slow = facts
      .filter((f) => f.service === 'checkout' && f.method === 'POST' && f.path === '/api/v1/checkout')
      .map((f) => f.latency_ms)
      .sort((a, b) => a - b);
    expect(slow[Math.floor(slow.length / 2)]).toBeGreaterThan(500);
    const all = facts.map((f) => f.latency_ms).sort((a, b) => a - b);
    expect(all[Math.floor(all.length * 0.999)]! / all[Math.floor(all.length / 2)]!).toBeGreaterThan(10);
    // Ids where the route has them, every one of them (a cart item route has two).
    expect(
      facts.some(
        (f) =>
          /^\/api\/v1\/carts\/\d+\/items\/\d+$/.test(f.path) || /^\/api\/v1\/checkout\/\d+$/.test(f.path),
      ),
    ).toBe(true);
    expect(facts.every((f) => !f.path.includes('{id}'))).toBe(true);
    const duplicates = facts.length - new Set(facts.map((f) => f.event_id)).size;
    expect(duplicates / facts.length).toBeGreaterThan(0.001);
    expect(duplicates / facts.length).toBeLessThan(0.02);
  });

  it('names services and routes like a real backend, distinct for any --services and --paths', () => {
    expect(
      buildEndpoints({ ...options, services: 5, pathsPerService: 2 }).map(
        (e) => `${e.service} ${e.method} ${e.path}`,
      ),
    ).toEqual([
      'checkout POST /api/v1/checkout',
      'checkout GET /api/v1/checkout/{id}',
      'payments POST /api/v1/payments',
      'payments GET /api/v1/payments/{id}',
      'search GET /api/v1/search',
      'search GET /api/v1/search/suggest',
      'auth POST /api/v1/auth/login',
      'auth POST /api/v1/auth/refresh',
      'inventory GET /api/v1/inventory/{id}',
      'inventory PUT /api/v1/inventory/{id}',
    ]);
    const big = buildEndpoints({ ...options, services: 200, pathsPerService: 40 });
    expect(new Set(big.map((e) => e.service)).size).toBe(200);
    expect(new Set(big.map((e) => `${e.service} ${e.method} ${e.path}`)).size).toBe(big.length);
    expect(demoServiceName(10)).toBe('checkout-2');
    expect(demoRoute(3, 5)).toEqual({ method: 'POST', path: '/api/v2/auth/login' });
    expect(demoRoute(3, 9)).toEqual({ method: 'GET', path: '/v2/.well-known/jwks.json' });
  });

  it('raises a service errors and latency only inside an incident, and keeps a low rate on average', () => {
    const incident = {
      service: 'payments',
      from: noon,
      to: noon + 60_000,
      errorRate: 0.5,
      latencyFactor: 10,
    };
    const model = new TrafficModel({ ...options, ratePerSecond: 100, incidents: [incident] });
    const during = Array.from({ length: 30 }, (_, i) => model.second(noon + i * 1000)).flat();
    const after = Array.from({ length: 30 }, (_, i) => model.second(noon + 120_000 + i * 1000)).flat();
    const errorRate = (facts: typeof during) => {
      const p = facts.filter((f) => f.service === 'payments');
      return p.filter((f) => f.status_code >= 500).length / p.length;
    };
    expect(errorRate(during)).toBeGreaterThan(0.4);
    expect(errorRate(after)).toBeLessThan(0.05);
    const low = new TrafficModel({ ...options, ratePerSecond: 0.3 });
    const sent = Array.from({ length: 3600 }, (_, i) => low.second(noon + i * 1000).length).reduce(
      (a, b) => a + b,
    );
    const expected = 0.3 * 3600 * diurnalFactor(noon) * weeklyFactor(noon);
    expect(Math.abs(sent - expected) / expected).toBeLessThan(0.1);
  });

  it('with flat, sends --rate facts every second whatever the hour or weekday (loadgen --flat)', () => {
    // A Sunday at 03:00 UTC is the curve's lowest point (0.26x): the modelled rate there would send ~5 of 20.
    const sundayNight = Date.parse('2026-11-22T03:00:00Z');
    const flat = new TrafficModel({ ...options, ratePerSecond: 20, flat: true });
    for (const at of [sundayNight, noon, noon + 3 * DAY]) {
      expect(flat.second(at)).toHaveLength(20);
    }
    const modelled = new TrafficModel({ ...options, ratePerSecond: 20 });
    expect(modelled.second(sundayNight).length).toBeLessThan(8);
  });
});
