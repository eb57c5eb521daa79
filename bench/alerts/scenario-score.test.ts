import { scoreScenario, type Episode } from './scenario-score.js';
import type { Incident } from './scenario-traffic.js';

const M = 60_000;
const week = Date.UTC(2026, 10, 2);
const episode = (service: string, firingAt: number): Episode => ({
  ruleKind: 'anomaly',
  rule: 'unusual',
  service,
  firingAt,
  explanation: '',
});
const incident = (service: string, start: number, minutes: number): Incident => ({
  service,
  kind: 'latency-shift',
  start,
  end: start + minutes * M,
  magnitude: 2,
  label: `${service} x2`,
});

describe('scoring the alert scenario', () => {
  it('does not count an alert on a history incident that runs on into the week as false, nor scores its recall', () => {
    const labelled = [incident('search', week + 600 * M, 30)];
    const runningOn = incident('catalog', week - 6 * M, 27);
    const episodes = [
      episode('search', week + 601 * M),
      episode('catalog', week + M),
      episode('auth', week + M),
    ];
    const score = scoreScenario(episodes, labelled, ['search', 'catalog', 'auth'], [runningOn]);
    expect(score.falseAlerts.map((f) => f.service)).toEqual(['auth']);
    expect(score.falseAlertsPerService).toEqual({ search: 0, catalog: 0, auth: 1 });
    expect(score.byKind.anomaly).toMatchObject({
      alerts: 3,
      truePositives: 2,
      falsePositives: 1,
      targeted: 1,
      caught: 1,
    });
    expect(score.incidents.map((i) => i.service)).toEqual(['search']);
    // Without it, the catalog alert is false.
    expect(
      scoreScenario(episodes, labelled, ['search', 'catalog', 'auth']).falseAlertsPerService.catalog,
    ).toBe(1);
  });

  it('counts a service-day of alerts as one episode beside the raw alerts, and judges the target on both', () => {
    const friday = week + 4 * 1440 * M;
    // The low day: checkout fires and resolves again and again on Friday, once more on Saturday.
    const flapping = [0, 20, 45, 300, 700].map((m) => episode('checkout', friday + 600 * M + m * M));
    const episodes = [
      ...flapping,
      episode('checkout', friday + 1440 * M + 30 * M),
      episode('auth', week + M),
    ];
    const score = scoreScenario(episodes, [], ['checkout', 'auth']);
    expect(score.byKind.anomaly).toMatchObject({
      alerts: 7,
      falsePositives: 7,
      episodes: 3,
      falseEpisodes: 3,
    });
    expect(score.falseAlertsPerService).toEqual({ checkout: 6, auth: 1 });
    expect(score.falseEpisodesPerService).toEqual({ checkout: 2, auth: 1 });
    expect(score.targets).toMatchObject({
      atMostOneFalseAlertPerService: false,
      atMostOneFalseEpisodePerService: false,
    });
    const oneDay = scoreScenario([...flapping, episode('auth', week + M)], [], ['checkout', 'auth']);
    expect(oneDay.falseEpisodesPerService).toEqual({ checkout: 1, auth: 1 });
    expect(oneDay.targets.atMostOneFalseEpisodePerService).toBe(true);
  });
});
