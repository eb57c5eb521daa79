import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAlertRulesFile } from '../../../crds/gravix-alert-rule.js';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { writeRollupHeartbeat } from '../../rollup/app/rollup-heartbeat.js';
import { MinuteRowsAlertData } from '../adapters/minute-rows-alert-data.js';
import { incidentRows } from '../testing/incident-rows.js';
import { buildQuietEvaluator } from '../testing/quiet-evaluator.js';

const minute = 60_000;
const t0 = Date.UTC(2026, 11, 1, 14, 0);
// `for: 3m`: a series must breach three judged minutes in a row before it fires.
const rules = parseAlertRulesFile(
  `
rules:
  - name: errors
    kind: threshold
    selector: { tenant: acme, each: service }
    threshold: { metric: error_rate, value: 5, window: 1m, for: 3m, minRequests: 10 }
`,
  'test rules',
);

/**
 * A rule's first evaluation (a new rule, or a worker that starts with no saved state for it) judges the minutes
 * its `for` needs, so an incident already under way fires at once; a restart with saved state resumes from it and
 * never fires an alert that is already firing a second time (docs/adr/0110).
 */
describe('a rule evaluated for the first time', () => {
  let dir: string;
  let store: LocalObjectStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gx-alert-first-'));
    store = new LocalObjectStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A worker process over the store (a new one per restart); `tickAt(n)` commits minutes before n and ticks. */
  function worker(failing: (m: number) => boolean, minutes = 60) {
    const data = MinuteRowsAlertData.fromMinuteRows(incidentRows(t0, minutes, failing));
    const { evaluator, alerts } = buildQuietEvaluator({
      store,
      data,
      rules: () => Promise.resolve(rules),
      catchUpMinutes: 10,
    });
    const tickAt = async (upTo: number) => {
      const at = t0 + upTo * minute;
      await writeRollupHeartbeat(store, { finishedAt: at, failed: 0, listedAt: at });
      await evaluator.tick();
    };
    return { tickAt, alerts };
  }

  const history = async (alerts: ReturnType<typeof worker>['alerts']) =>
    (await alerts.listHistory('acme', 0, t0 + 24 * 60 * minute, 100))
      .sort((a, b) => a.at - b.at)
      .map((e) => `${e.kind} ${e.seriesId} at +${(e.at - t0) / minute} since +${(e.startsAt - t0) / minute}`);

  it('fires on its first tick for an incident under way longer than its for', async () => {
    const { tickAt, alerts } = worker((m) => m < 6);
    await tickAt(6); // minutes 0-5 committed, all failing; the rule has never run
    const { state } = await alerts.loadState('acme', 'errors');
    expect(state.series['checkout * *']).toMatchObject({ state: 'firing', since: t0 + 3 * minute });
    expect(state.evaluatedThrough).toBe(t0 + 5 * minute);
    expect(await history(alerts)).toEqual(['firing checkout * * at +5 since +5']);
  });

  it('stays pending on its first tick for an incident shorter than its for, and fires when it lasts', async () => {
    const { tickAt, alerts } = worker((m) => m >= 4);
    await tickAt(6); // failing since minute 4: two minutes of three
    expect((await alerts.loadState('acme', 'errors')).state.series['checkout * *']?.state).toBe('pending');
    await tickAt(7);
    expect(await history(alerts)).toEqual(['firing checkout * * at +6 since +6']);
  });

  it('never alerts on an incident that ended before the rule first ran', async () => {
    const { tickAt, alerts } = worker((m) => m < 4);
    await tickAt(6); // failing in minutes 0-3, healthy in 4-5
    expect((await alerts.loadState('acme', 'errors')).state.series).toEqual({});
    expect(await history(alerts)).toEqual([]);
  });

  it('does not fire again after a restart while the alert fires, and the resolve still arrives', async () => {
    const failing = (m: number) => m < 20;
    await worker(failing).tickAt(6);
    // Restarted at once, then again after a pause longer than the catch-up (10 minutes): state comes from the store.
    await worker(failing).tickAt(8);
    await worker(failing).tickAt(19);
    const last = worker(failing);
    await last.tickAt(22); // healthy from minute 20
    expect(await history(last.alerts)).toEqual([
      'firing checkout * * at +5 since +5',
      'resolved checkout * * at +20 since +5',
    ]);
  });
});
