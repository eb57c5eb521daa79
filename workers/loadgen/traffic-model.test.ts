import { TrafficModel, diurnalFactor, spikingService } from './traffic-model.js';

const options = { seed: 3, services: 4, pathsPerService: 5, ratePerSecond: 500 };
const noon = Date.parse('2026-11-23T12:00:30Z');

describe('loadgen traffic model', () => {
  it('is busier in the afternoon than at night and averages the configured rate over a day', () => {
    expect(diurnalFactor(Date.parse('2026-11-23T15:00:00Z'))).toBeGreaterThan(1.5);
    expect(diurnalFactor(Date.parse('2026-11-23T03:00:00Z'))).toBeLessThan(0.5);
    const hours = Array.from({ length: 24 }, (_, h) =>
      diurnalFactor(Date.parse('2026-11-23T00:00:00Z') + h * 3_600_000),
    );
    expect(hours.reduce((a, b) => a + b) / 24).toBeCloseTo(1, 5);
  });

  it('makes one service fail a quarter of its requests during a spike window', () => {
    const spikeStart = Date.parse('2026-11-23T12:10:00Z');
    const service = spikingService(spikeStart + 1000, 4)!;
    const model = new TrafficModel(options);
    const facts = Array.from({ length: 20 }, (_, i) => model.second(spikeStart + i * 1000)).flat();
    const spiked = facts.filter((f) => f.service === `svc-0${service}`);
    const rate = spiked.filter((f) => f.status_code >= 500).length / spiked.length;
    expect(rate).toBeGreaterThan(0.18);
    expect(rate).toBeLessThan(0.32);
    expect(spikingService(spikeStart + 180_000, 4)).toBeUndefined();
  });

  it('has a slow endpoint, a heavy latency tail, id-like paths and a few duplicate event ids', () => {
    const model = new TrafficModel(options);
    const facts = Array.from({ length: 30 }, (_, i) => model.second(noon + i * 1000)).flat();
    const slow = facts
      .filter((f) => f.service === 'svc-00' && f.path === '/api/orders/v1')
      .map((f) => f.latency_ms)
      .sort((a, b) => a - b);
    expect(slow[Math.floor(slow.length / 2)]).toBeGreaterThan(500);
    const all = facts.map((f) => f.latency_ms).sort((a, b) => a - b);
    expect(all[Math.floor(all.length * 0.999)]! / all[Math.floor(all.length / 2)]!).toBeGreaterThan(10);
    expect(facts.some((f) => /^\/api\/\w+\/\d+\/v1$/.test(f.path))).toBe(true);
    const duplicates = facts.length - new Set(facts.map((f) => f.event_id)).size;
    expect(duplicates / facts.length).toBeGreaterThan(0.001);
    expect(duplicates / facts.length).toBeLessThan(0.02);
  });
});
