import { aggregateSeeds, summariseDelays, type SeedScore } from './scenario-aggregate.js';
import type { KindScore } from './scenario-score.js';

const kind = (overrides: Partial<KindScore> = {}): KindScore => ({
  alerts: 0,
  truePositives: 0,
  falsePositives: 0,
  precision: null,
  targeted: 0,
  caught: 0,
  recall: null,
  detectMinutes: [],
  episodes: 0,
  falseEpisodes: 0,
  ...overrides,
});

const run = (seed: number, overrides: Partial<SeedScore> = {}): SeedScore => ({
  seed,
  byKind: { threshold: kind(), slo: kind(), anomaly: kind(), silence: kind() },
  incidents: [
    {
      service: 'checkout',
      kind: 'error-burst',
      label: '7-minute burst',
      minutes: 7,
      detectedBy: {},
      firstDetectMinutes: 1,
      meetsTarget: true,
    },
    {
      service: 'auth',
      kind: 'error-burst',
      label: '2-minute burst',
      minutes: 2,
      detectedBy: {},
      firstDetectMinutes: null,
      meetsTarget: null,
    },
  ],
  falseAlertsPerService: { checkout: 0, auth: 0 },
  falseEpisodesPerService: { checkout: 0, auth: 0 },
  ...overrides,
});

describe('the alert scenario over several seeds', () => {
  it('sums alerts, false alerts, caught and targeted per kind and pools the delays of every seed', () => {
    const a = run(7, {
      byKind: {
        threshold: kind({
          alerts: 4,
          falsePositives: 1,
          episodes: 3,
          falseEpisodes: 1,
          targeted: 6,
          caught: 3,
          detectMinutes: [0, 2, 4],
        }),
        slo: kind(),
        anomaly: kind({ alerts: 2, targeted: 2, caught: 2, detectMinutes: [1, 3] }),
        silence: kind(),
      },
    });
    const b = run(8, {
      byKind: {
        threshold: kind({
          alerts: 6,
          falsePositives: 0,
          episodes: 5,
          targeted: 6,
          caught: 5,
          detectMinutes: [1, 1, 2, 2, 9],
        }),
        slo: kind(),
        anomaly: kind({ targeted: 2 }),
        silence: kind(),
      },
    });
    const { byKind } = aggregateSeeds([a, b]);
    expect(byKind.threshold).toMatchObject({
      alerts: 10,
      falsePositives: 1,
      precision: 0.9,
      episodes: 8,
      falseEpisodes: 1,
      targeted: 12,
      caught: 8,
      recall: 0.667,
      detectMinutes: { count: 8, median: 2, p90: 9, max: 9 },
    });
    expect(byKind.threshold.perSeed.map((s) => [s.seed, s.caught])).toEqual([
      [7, 3],
      [8, 5],
    ]);
    expect(byKind.anomaly).toMatchObject({ precision: 1, recall: 0.5 });
    // No alert at all: precision is undefined, not 0 or 1.
    expect(byKind.silence).toMatchObject({ alerts: 0, precision: null, recall: null });
  });

  it('lists each incident’s delay per seed, its misses, and counts the seeds meeting each target', () => {
    const slow = run(9);
    slow.incidents[0] = { ...slow.incidents[0]!, firstDetectMinutes: 5, meetsTarget: false };
    const missed = run(10, {
      falseAlertsPerService: { checkout: 2, auth: 0 },
      falseEpisodesPerService: { checkout: 1, auth: 0 },
    });
    missed.incidents[0] = { ...missed.incidents[0]!, firstDetectMinutes: null, meetsTarget: false };
    const agg = aggregateSeeds([run(7), slow, missed]);
    expect(agg.incidents[0]).toMatchObject({
      firstDetectMinutes: [1, 5, null],
      worstMinutes: null,
      missedSeeds: [10],
      seedsMeetingTarget: 1,
    });
    // A 2-minute incident has no target.
    expect(agg.incidents[1]).toMatchObject({ missedSeeds: [7, 9, 10], seedsMeetingTarget: null });
    expect(agg.falseAlertsPerService).toEqual({
      checkout: { total: 2, worstWeek: 2 },
      auth: { total: 0, worstWeek: 0 },
    });
    expect(agg.falseEpisodesPerService).toEqual({
      checkout: { total: 1, worstWeek: 1 },
      auth: { total: 0, worstWeek: 0 },
    });
    expect(agg.targets).toEqual({
      incidentsOf5MinCaughtWithin3: { seedsMet: 1, of: 3 },
      atMostOneFalseAlertPerService: { seedsMet: 2, of: 3 },
      atMostOneFalseEpisodePerService: { seedsMet: 3, of: 3 },
    });
  });

  it('refuses runs of different scenarios and an empty list', () => {
    const other = run(8);
    other.incidents[1] = { ...other.incidents[1]!, label: 'something else' };
    expect(() => aggregateSeeds([run(7), other])).toThrow(
      'seed runs disagree on incident 1 (auth 2-minute burst)',
    );
    expect(() => aggregateSeeds([])).toThrow('aggregateSeeds needs at least one seed run');
  });

  it('summarises delays by nearest rank', () => {
    expect(summariseDelays([])).toEqual({ count: 0, median: null, p90: null, max: null });
    expect(summariseDelays([3, 1, 2])).toEqual({ count: 3, median: 2, p90: 3, max: 3 });
  });
});
