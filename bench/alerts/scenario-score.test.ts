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
});
