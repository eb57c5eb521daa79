import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { parseAlertRulesFile } from '../../../crds/gravix-alert-rule.js';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import type { ObjectStore, PutOptions } from '../../adapters/object-store/object-store.js';
import { writeRollupHeartbeat } from '../../rollup/app/rollup-heartbeat.js';
import { MinuteRowsAlertData } from '../adapters/minute-rows-alert-data.js';
import { buildAlertsView } from '../http/alerts-view.js';
import type { AlertData } from './alert-data.js';
import { incidentRows as incidentRowsFrom } from '../testing/incident-rows.js';
import { buildQuietEvaluator } from '../testing/quiet-evaluator.js';

const minute = 60_000;
const t0 = Date.UTC(2026, 11, 1, 14, 0);
const rules = parseAlertRulesFile(
  `
rules:
  - name: errors
    kind: threshold
    selector: { tenant: acme, each: service }
    threshold: { metric: error_rate, value: 5, window: 1m, minRequests: 10 }
  - name: availability
    kind: slo
    selector: { tenant: acme, each: service }
    slo: { objective: 99 }
`,
  'test rules',
);

/** checkout fails half its requests in the first `failing` minutes and none after; search never fails. */
const incidentRows = (failing: number, minutes: number) => incidentRowsFrom(t0, minutes, (m) => m < failing);

/** checkout fails 50% of its 40 requests a minute, search none. */
const minuteRows = (minutes: number) => incidentRows(minutes, minutes);

/** The evaluator over a real local store and the rollup's rows, with the worker's metrics on a registry. */
describe('alert evaluator metrics and budgets', () => {
  let dir: string;
  let store: LocalObjectStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gx-alert-eval-'));
    store = new LocalObjectStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const build = (data: AlertData) =>
    buildQuietEvaluator({ store, data, rules: () => Promise.resolve(rules), catchUpMinutes: 3 });
  const value = async (registry: Registry, name: string) =>
    (await registry.getSingleMetric(name)!.get()).values;

  it('counts each judged minute per rule, times each rule, and keeps every SLO series budget', async () => {
    const { evaluator, registry, alerts } = build(MinuteRowsAlertData.fromMinuteRows(minuteRows(3)));
    // The first tick judges the newest committed minute only; the next one each minute committed since.
    await writeRollupHeartbeat(store, { finishedAt: t0 + minute, failed: 0, listedAt: t0 + minute });
    await evaluator.tick();
    await writeRollupHeartbeat(store, { finishedAt: t0 + 3 * minute, failed: 0, listedAt: t0 + 3 * minute });
    await evaluator.tick();

    const evaluations = await value(registry, 'gravix_alert_evaluations_total');
    expect(evaluations).toEqual([{ labels: { result: 'ok' }, value: 6 }]); // 3 minutes x 2 rules
    const durations = await value(registry, 'gravix_alert_evaluation_duration_seconds');
    // One observation per rule per tick.
    expect(durations.find((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))?.value).toBe(
      4,
    );
    const firing = await value(registry, 'gravix_alert_series_firing');
    expect(firing).toEqual(
      expect.arrayContaining([
        { labels: { rule: 'errors' }, value: 1 },
        { labels: { rule: 'availability' }, value: 1 },
      ]),
    );

    const view = buildAlertsView(await alerts.listStates('acme'), []);
    // 50% errors against a 1% allowance: the budget is overspent 49x; search has spent nothing.
    expect(view.budgets.map((b) => [b.rule, b.service, Math.round(b.budgetRemainingPct)])).toEqual(
      expect.arrayContaining([
        ['availability', 'checkout', -4900],
        ['availability', 'search', 100],
      ]),
    );
    expect(view.budgets).toHaveLength(2);
  });

  it('counts a minute the engine failed on as an error and judges it again on the next tick', async () => {
    const failing: AlertData = { windows: () => Promise.reject(new Error('engine down')) };
    const { evaluator, registry, alerts } = build(failing);
    await writeRollupHeartbeat(store, { finishedAt: t0 + 3 * minute, failed: 0, listedAt: t0 + 3 * minute });
    await evaluator.tick();
    expect(await value(registry, 'gravix_alert_evaluations_total')).toEqual([
      { labels: { result: 'error' }, value: 2 },
    ]);
    const { state } = await alerts.loadState('acme', 'errors');
    expect(state.error).toBe('engine down');
    expect(state.evaluatedThrough).toBeNull();
  });
});

/**
 * A process that dies at its n-th object-store write: that write throws (landing first when `lands`, as a put
 * whose answer was lost), and every store call after it throws too, as nothing runs in a dead process.
 */
class DyingStore implements ObjectStore {
  puts = 0;
  dead = false;
  constructor(
    private readonly inner: ObjectStore,
    private readonly dieAtPut: number,
    private readonly lands: boolean,
  ) {}
  private check() {
    if (this.dead) throw new Error('process is dead');
  }
  async put(key: string, body: Uint8Array, options?: PutOptions) {
    this.check();
    this.puts += 1;
    if (this.puts === this.dieAtPut) {
      this.dead = true;
      if (this.lands) await this.inner.put(key, body, options);
      throw new Error('killed during put');
    }
    return this.inner.put(key, body, options);
  }
  async get(key: string) {
    this.check();
    return this.inner.get(key);
  }
  async head(key: string) {
    this.check();
    return this.inner.head(key);
  }
  async list(prefix: string) {
    this.check();
    return this.inner.list(prefix);
  }
  async delete(key: string) {
    this.check();
    return this.inner.delete(key);
  }
}

const heartbeats = [t0 + minute, t0 + 3 * minute, t0 + 6 * minute];
const crashData = MinuteRowsAlertData.fromMinuteRows(incidentRows(3, 6));

/**
 * Runs the heartbeats' ticks with an evaluator on `evaluatorStore`; when that process has died, a restarted one on
 * the real store runs the tick again (a pod restarted at once). Answers the recorded history.
 */
async function runCrashing(dir: string, evaluatorStore: (store: ObjectStore) => ObjectStore) {
  const store = new LocalObjectStore(dir);
  const build = (on: ObjectStore) =>
    buildQuietEvaluator({
      store: on,
      data: crashData,
      rules: () => Promise.resolve(rules),
      catchUpMinutes: 10,
    });
  const dying = evaluatorStore(store);
  let current = build(dying);
  for (const at of heartbeats) {
    await writeRollupHeartbeat(store, { finishedAt: at, failed: 0, listedAt: at });
    await current.evaluator.tick().catch(() => undefined);
    if (dying instanceof DyingStore && dying.dead) {
      current = build(store);
      await current.evaluator.tick();
    }
  }
  await current.evaluator.tick();
  const history = await current.alerts.listHistory('acme', 0, t0 + 24 * 60 * minute, 1000);
  return history.map((e) => `${e.kind} ${e.rule} ${e.seriesId} ${e.at}`).sort();
}

const crashDirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'gx-alert-crash-'));
  crashDirs.push(dir);
  return dir;
};
// The run nothing kills is the reference, and its writes are the places to die at: one case each below, so each
// case is one run under its own timeout (all of them in one test took 21.7 s of its 30 at load 20-40).
let counting: DyingStore | undefined;
const reference = await runCrashing(
  scratch(),
  (store) => (counting = new DyingStore(store, Infinity, false)),
);
const crashCases = Array.from({ length: counting!.puts }, (_, i) => i + 1).flatMap((dieAt) =>
  [false, true].map((lands) => ({ dieAt, lands })),
);

describe('alert history under a crash at any write', () => {
  afterAll(() => {
    for (const dir of crashDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('has a reference run that fires on both rules, resolves one and writes more than four times', () => {
    // The threshold rule resolves once checkout is healthy (the SLO's 1 h window still burns).
    expect(reference.filter((e) => e.startsWith('firing')).length).toBeGreaterThanOrEqual(2);
    expect(reference.filter((e) => e.startsWith('resolved')).length).toBeGreaterThanOrEqual(1);
    expect(crashCases.length).toBeGreaterThan(2 * 4);
  });

  it.each(crashCases)(
    'records every firing and resolve exactly once when the process dies at write $dieAt (landed: $lands)',
    async ({ dieAt, lands }) => {
      const history = await runCrashing(scratch(), (store) => new DyingStore(store, dieAt, lands));
      expect(history).toEqual(reference);
    },
  );
});
