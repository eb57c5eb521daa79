import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import {
  buildAlertRuleCrd,
  ALERT_RULE_API_VERSION,
  ALERT_RULE_KIND,
} from '../../crds/gravix-alert-rule-crd.js';
import { makePipeline } from '../../crds/testing/pipeline-fixture.js';
import { synthPipeline } from '../../cdk8s/pipeline-chart.js';
import { resourcePath } from '../../operator/adapters/resource-paths.js';
import { installCrd, startKubeTestEnv, type KubeTestEnv } from '../../operator/testing/kube-test-env.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import type { RawFact } from '../domain/raw-record.js';
import { openEngine } from '../query/app/query-server.js';
import { RollupManifests } from '../query/adapters/rollup-manifests.js';
import type { QueryEngine } from '../query/app/query-engine.js';
import { loadRollupHeartbeat } from '../rollup/app/rollup-heartbeat.js';
import { runRollupOnce } from '../rollup/app/run-rollup-once.js';
import { putRawSegment } from '../rollup/testing/raw-segments.js';
import { startAlertWorker, type AlertWorker } from './app/alert-worker.js';
import { loadAlertInputs } from './app/alert-inputs.js';
import { loadAlertConfig } from './config.js';
import { alertRulesPath } from './adapters/kube-alert-rules.js';

const minuteMs = 60_000;
const day = 86_400_000;
const rulesPath = alertRulesPath('default');

/** 40 requests a minute of checkout in each given minute, half of them 500s. */
const facts = (minutes: readonly number[]): RawFact[] =>
  minutes.flatMap((m) =>
    Array.from({ length: 40 }, (_, i) => ({
      kind: 'fact' as const,
      tenant: 'acme',
      event_id: `e-${m}-${i}`,
      ts: m + i * 1000,
      service: 'checkout',
      method: 'POST',
      path: '/orders',
      status_code: i % 2 === 0 ? 500 : 200,
      latency_ms: 20 + i,
    })),
  );

const rule = (name: string, pipeline: string) => ({
  apiVersion: ALERT_RULE_API_VERSION,
  kind: ALERT_RULE_KIND,
  metadata: { name, namespace: 'default' },
  spec: {
    pipelineRef: { name: pipeline },
    kind: 'threshold',
    selector: { tenant: 'acme', service: 'checkout' },
    threshold: { metric: 'error_rate', value: 5, window: '1m', for: '1m', minRequests: 10 },
  },
});

type RuleObject = { status?: { state?: string; value?: string; firing?: number; lastEvaluation?: string } };

/**
 * `gravix alert` on Kubernetes, against a real kube-apiserver: two replicas under the Role the operator
 * synthesizes (cdk8s/alerting.ts), rules from GravixAlertRule objects, the Lease letting exactly one evaluate, and
 * each rule's status (what `kubectl get gravixalertrules` prints) written back.
 */
describe('gravix alert with GravixAlertRules and a Lease (real kube-apiserver)', () => {
  let env: KubeTestEnv;
  let dir: string;
  let store: LocalObjectStore;
  const workers = new Map<string, { worker: AlertWorker; engine: QueryEngine }>();

  /** A kubeconfig for the alert worker's ServiceAccount: a TokenRequest token, as the kubelet mounts one. */
  async function serviceAccountKubeconfig(): Promise<string> {
    const review = await env.client.request<{ status: { token: string } }>({
      method: 'POST',
      path: '/api/v1/namespaces/default/serviceaccounts/shop-alert/token',
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      },
    });
    const admin = readFileSync(env.apiserver.kubeconfigPath, 'utf8');
    const path = join(dir, 'alert.kubeconfig');
    writeFileSync(path, admin.replace(/token: .*/, `token: ${review.status.token}`), { mode: 0o600 });
    return path;
  }

  async function startWorker(identity: string, kubeconfig: string) {
    const config = loadAlertConfig({
      GRAVIX_STORE: 'local',
      GRAVIX_DATA_DIR: dir,
      GRAVIX_ALERT_HOST: '127.0.0.1',
      GRAVIX_ALERT_METRICS_PORT: '0',
      GRAVIX_ALERT_INTERVAL_MS: '1000',
      GRAVIX_ALERT_SETTLE_MS: '0',
      GRAVIX_ALERT_PIPELINE: 'shop',
      GRAVIX_ALERT_NAMESPACE: 'default',
      GRAVIX_ALERT_KUBECONFIG: kubeconfig,
      GRAVIX_ALERT_IDENTITY: identity,
      GRAVIX_ALERT_LEASE_SECONDS: '4',
      GRAVIX_ALERT_LEASE_RENEW_DEADLINE_SECONDS: '3',
      GRAVIX_ALERT_LEASE_RETRY_SECONDS: '0.5',
    });
    const engine = await openEngine(config.query, new RollupManifests(store));
    const worker = await startAlertWorker(
      config,
      loadAlertInputs(config, pino({ level: 'silent' })),
      store,
      engine,
      pino({ level: 'silent' }),
    );
    workers.set(identity, { worker, engine });
  }

  async function scrape(identity: string, metric: RegExp): Promise<number> {
    const port = workers.get(identity)!.worker.metricsPort;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => metric.test(l))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  }
  const leading = (id: string) => scrape(id, /^gravix_alert_leader /);
  const evaluations = (id: string) => scrape(id, /^gravix_alert_evaluations_total\{/);
  const status = async (name: string) =>
    (await env.client.request<RuleObject>({ method: 'GET', path: `${rulesPath}/${name}` })).status;

  async function stopWorker(identity: string) {
    const w = workers.get(identity)!;
    workers.delete(identity);
    await w.worker.stop();
    await w.engine.close();
  }

  beforeAll(async () => {
    env = await startKubeTestEnv();
    await installCrd(env.client, buildAlertRuleCrd() as { metadata: { name: string } });
    dir = mkdtempSync(join(tmpdir(), 'gravix-alert-kube-'));
    store = new LocalObjectStore(join(dir, 'store'));
    // The worker's identity and Role exactly as the operator applies them for a pipeline with alerts.
    const children = synthPipeline(makePipeline({ alerts: { enabled: true } }), { generate: () => 'x' });
    for (const kind of ['ServiceAccount', 'Role', 'RoleBinding']) {
      const m = children.find((c) => c.kind === kind && c.metadata.name === 'shop-alert')!;
      const path = resourcePath({ apiVersion: m.apiVersion, kind, namespace: 'default', name: 'shop-alert' });
      await env.client.apply(path, m, 'gravix-tests');
    }
    // A new rule first judges the newest committed minute (the one before the rollup listed raw/): it must be
    // one with data, so a minute boundary crossed during the rollup means rolling up again.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const now = Math.floor(Date.now() / minuteMs) * minuteMs;
      const records = facts([now - 3 * minuteMs, now - 2 * minuteMs, now - minuteMs]);
      // One segment per hour partition (a segment belongs to the partition of its first record).
      for (const hour of new Set(records.map((r) => Math.floor(r.ts / 3_600_000))))
        await putRawSegment(
          store,
          records.filter((r) => Math.floor(r.ts / 3_600_000) === hour),
          { seq: (now / minuteMs) * 10 + (hour % 10) },
        );
      await runRollupOnce({
        store,
        latenessMs: 120_000,
        includeOpen: true,
        rawRetentionMs: 7 * day,
        metricsRetentionMs: 30 * day,
      });
      const heartbeat = await loadRollupHeartbeat(store);
      if (Math.floor((heartbeat?.listedAt ?? 0) / minuteMs) * minuteMs === now) break;
    }
  }, 180_000);

  afterAll(async () => {
    for (const id of [...workers.keys()]) await stopWorker(id);
    await env?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('evaluates the rules of its pipeline on one replica only and writes their status', async () => {
    await env.client.request({ method: 'POST', path: rulesPath, body: rule('checkout-errors', 'shop') });
    await env.client.request({ method: 'POST', path: rulesPath, body: rule('not-ours', 'other') });
    const kubeconfig = await serviceAccountKubeconfig();
    await startWorker('replica-a', kubeconfig);
    await startWorker('replica-b', kubeconfig);
    const firing = await waitUntil(
      async () => {
        const s = await status('checkout-errors');
        if (s?.state !== 'firing') throw new Error(`status now: ${JSON.stringify(s)}`);
        return s;
      },
      { what: 'checkout-errors firing in its status', timeoutMs: 60_000 },
    );
    expect(firing).toMatchObject({ value: '50.0%', firing: 1 });
    expect(firing.lastEvaluation).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // A rule of another pipeline in the namespace is not this worker's: never evaluated, no status.
    expect(await status('not-ours')).toBeUndefined();
    const leaders = [await leading('replica-a'), await leading('replica-b')];
    expect(leaders.sort()).toEqual([0, 1]);
    const standby = (await leading('replica-a')) === 1 ? 'replica-b' : 'replica-a';
    expect(await evaluations(standby)).toBe(0);
  });

  it('shows state and last value in the printer columns kubectl reads', async () => {
    const table = await env.client.request<{
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[] }[];
    }>({
      method: 'GET',
      path: `${rulesPath}/checkout-errors`,
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    const columns = table.columnDefinitions.map((c) => c.name);
    const cells = table.rows[0]!.cells;
    expect(cells[columns.indexOf('State')]).toBe('firing');
    expect(cells[columns.indexOf('Value')]).toBe('50.0%');
  });

  it('hands evaluation to the standby when the leader stops, which then evaluates new rules', async () => {
    const leader = (await leading('replica-a')) === 1 ? 'replica-a' : 'replica-b';
    const standby = leader === 'replica-a' ? 'replica-b' : 'replica-a';
    await stopWorker(leader);
    await waitUntil(async () => (await leading(standby)) === 1, {
      what: `${standby} takes the released Lease`,
      timeoutMs: 20_000,
    });
    await env.client.request({ method: 'POST', path: rulesPath, body: rule('checkout-errors-2', 'shop') });
    await waitUntil(async () => (await status('checkout-errors-2'))?.state === 'firing', {
      what: 'the new rule evaluated by the new leader',
      timeoutMs: 60_000,
    });
    expect(await evaluations(standby)).toBeGreaterThan(0);
  });
});
