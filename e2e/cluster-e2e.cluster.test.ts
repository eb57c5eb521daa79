import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { clusterScript, kubectl, run, testCluster } from '../testbin/harness/cluster.js';
import { launchChromium } from '../testbin/harness/chromium.js';
import { loadTestbinVersions, repoPath } from '../testbin/harness/testbin-paths.js';
import { waitUntil } from '../testbin/harness/wait-until.js';
import {
  ALERT_RULE_NAME,
  ALERT_SERVICE,
  alertHookSecret,
  alertLeaderAndStandbys,
  alertPodHmacKey,
  alertsSpec,
  alertTrafficNdjson,
  errorRateRule,
  postFactsViaIngress,
  rotateAlertHookKey,
  startClusterWebhook,
  webhookSignatureProblem,
  type ClusterWebhook,
} from './testing/cluster-alerts.js';
import { expectAllStored, waitFor } from './testing/acked-facts.js';
import {
  deleteNamespaceAndWait,
  pipelineStore,
  secretValue as secretOf,
  waitForPipelineAvailable,
} from './testing/cluster-gravix.js';
import {
  availableFor,
  componentPods,
  lastExit,
  restarts,
  rolloutProblem,
  workloadPods,
  type Pod,
} from './testing/cluster-rollout.js';
import { ingestLoad, serviceClusterIp } from './testing/ingest-load.js';
import { metricsTasksOn, nativeMergeTasksOn, trinoNodes, type TrinoNode } from './testing/cluster-trino.js';

/**
 * The end-to-end test on the real single-node cluster (testbin/cluster), the same steps as e2e/kind-e2e.sh:
 * build the images from the project's Dockerfiles -> helm install the operator chart -> helm install a pipeline
 * -> wait for condition=Available -> e2e/kind-e2e.sh verify (the users' script) sends request facts through the
 * Ingress with the generated ingest key, the rollup runs, the query service answers through Trino with the query
 * token, exact counts, a re-sent batch counted once -> the dashboard, opened in Chromium through the Ingress with
 * the query token, shows exactly the facts that were sent. The same pipeline runs the alert worker as a pod
 * (issue #20): a GravixAlertRule on one service's error rate, 5xx traffic through the Ingress, and the worker,
 * evaluating through Trino once the rollup committed those minutes, posts a signed webhook to a receiver this test
 * runs on the node address; the rule's status and the pod's /metrics say so. The alert worker runs two
 * replicas: exactly one holds the Lease and evaluates (the other's /metrics count no evaluation). The channel's
 * HMAC key is rotated under the running leader before it fires (the notification is signed with the new key, no
 * restart), and the leader's pod is killed while the alert fires (the standby takes the Lease and evaluates, no
 * second notification; the resolve arrives once traffic is healthy). Trino runs as the install guide's default
 * pipeline runs it (docs/install-on-kubernetes.md: `spec.trino.workers: 1`): a coordinator that schedules no work
 * itself and one worker, which must announce itself to the coordinator for the pipeline to turn Available and
 * runs every metrics statement. Last, the pipeline is upgraded to a new `spec.version` with helm under ingest load (issue #16): every
 * pod rolls, none is stuck, every acknowledged fact is stored and counted, the rollup goes on.
 */

const tag = 'e2e';
/** The prefix of every image the test cluster built (testbin/cluster/images.sh); nothing can be pulled. */
const registry = 'testbin.local';
const namespace = 'gravix-e2e';
const release = 'e2e';
const service = 'e2e-checkout';
const facts = 500;
const sample = parse(readFileSync(repoPath('e2e', 'sample-pipeline.yaml'), 'utf8')) as {
  spec: { ingress: { host: string; className?: string } } & Record<string, unknown>;
};
const host = sample.spec.ingress.host;
const artifacts = repoPath('test-artifacts', 'cluster-e2e');
const hookSecret = `${release}-alert-hooks`;
/** The workers image re-tagged: an upgrade as the pods see it (new image reference, new version label). */
const nextTag = 'e2e-next';
const upgradeService = 'e2e-upgrade';
/** The smallest worker admission takes (TRINO_MIN_MEMORY is 1Gi); 1.5Gi as the sample's coordinator. */
const trinoWorker = { cpu: '250m', memory: '1536Mi' };

const alertPods = () => componentPods(namespace, release, 'alert');

/** Requests the query API counts for a service over the last hour, through the Ingress. */
async function countedRequests(svc: string, token: string): Promise<number> {
  const to = Date.now() + 60_000;
  const res = await viaIngress(
    'GET',
    `/api/v1/timeseries?service=${svc}&from=${to - 3_600_000}&to=${to}`,
    token,
  );
  if (res.status !== 200) return -1;
  return (JSON.parse(res.body) as { points: { requests: number }[] }).points.reduce(
    (n, p) => n + p.requests,
    0,
  );
}

function viaIngress(method: string, path: string, token: string): Promise<{ status: number; body: string }> {
  const url = new URL(path, testCluster().ingressUrl);
  return new Promise((resolveRequest, reject) => {
    const req = request(
      url,
      { method, timeout: 30_000, headers: { host, authorization: `Bearer ${token}` } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolveRequest({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}

const secretValue = (name: string, key: string) => secretOf(namespace, name, key);

async function diagnostics(): Promise<void> {
  const dump = await kubectl(['get', 'all,gravixpipelines,ingress,pvc,events', '-A', '-o', 'wide']).catch(
    (e: Error) => e.message,
  );
  writeFileSync(join(artifacts, 'cluster.txt'), dump);
  for (const [ns, what] of [
    ['gravix-system', 'deploy/gravix-operator'],
    [namespace, `statefulset/${release}-ingest`],
    [namespace, `deploy/${release}-query`],
    [namespace, `statefulset/${release}-trino-coordinator`],
    [namespace, `statefulset/${release}-trino-worker`],
    [namespace, `statefulset/${release}-minio`],
    [namespace, `deploy/${release}-alert`],
    [namespace, `deploy/${release}-rollup`],
  ] as const) {
    const logs = await kubectl(['-n', ns, 'logs', what, '--all-containers', '--tail=500']).catch(
      (e: Error) => e.message,
    );
    writeFileSync(join(artifacts, `${what.replace('/', '-')}.log`), logs);
  }
  // Why a worker restarted: the log of its container's previous run.
  for (const what of [`deploy/${release}-alert`, `deploy/${release}-query`]) {
    const previous = await kubectl(['-n', namespace, 'logs', what, '--previous', '--tail=200']).catch(
      (e: Error) => e.message,
    );
    writeFileSync(join(artifacts, `${what.replace('/', '-')}.previous.log`), previous);
  }
}

describe('Gravix end to end on the single-node cluster', () => {
  const cluster = testCluster();
  let ingestKey = '';
  let queryToken = '';
  let failed = false;
  let hook: ClusterWebhook | undefined;
  let firstHmacKey = '';
  let rotatedUnder: Pod | undefined;
  let pipelineSpec: Record<string, unknown> = {};

  beforeAll(() => {
    mkdirSync(artifacts, { recursive: true });
  });

  afterEach(() => {
    failed ||= (globalThis as { __gravixTestFailed?: boolean }).__gravixTestFailed === true;
  });

  afterAll(async () => {
    if (failed) await diagnostics();
    await hook?.stop();
    // The next cluster test file runs a pipeline of its own on the same node: this one must not hold its requests.
    await deleteNamespaceAndWait(namespace);
  });

  it('builds the workers and operator images from their Dockerfiles and imports them', async () => {
    // As testbin.local/gravix/gravix-{workers,operator}:e2e; MinIO and Trino were built by testbin.
    await run('bash', [clusterScript, 'build-gravix-images', tag], { timeoutMs: 1_500_000 });
  }, 1_600_000);

  it('installs the operator chart', async () => {
    await run(cluster.helm, [
      'upgrade',
      '--install',
      'gravix-operator',
      repoPath('charts', 'gravix-operator'),
      '--namespace',
      'gravix-system',
      '--create-namespace',
      // The pipeline lives in its own namespace: the operator watches all of them.
      '--set',
      'watchAllNamespaces=true',
      '--set',
      `image.registry=${registry}`,
      '--set',
      `image.tag=${tag}`,
      '--set',
      'image.pullPolicy=Never',
      '--wait',
      '--timeout',
      '5m',
    ]);
  });

  it('installs a pipeline with alerts and it becomes Available', async () => {
    // The alert channel's URL and HMAC key live in a Secret that exists before the alert pod needs it.
    hook = await startClusterWebhook();
    await kubectl(['create', 'namespace', namespace]).catch(() => undefined);
    await kubectl(['apply', '-f', '-'], JSON.stringify(alertHookSecret(namespace, hookSecret, hook)));
    const values = join(mkdtempSync(join(tmpdir(), 'gx-e2e-')), 'values.yaml');
    const v = loadTestbinVersions();
    const spec = (pipelineSpec = {
      ...sample.spec,
      // Every image from the cluster's own names: the Gravix images just built, MinIO and Trino from testbin.
      images: {
        registry,
        trino: { repository: 'trino', tag: v.TRINO_VERSION },
        minio: { repository: 'minio', tag: v.MINIO_VERSION },
      },
      ingress: { ...sample.spec.ingress, className: cluster.ingressClass },
      // The guide's default topology (the CRD's default workers: 1), sized for the single node; the kind path's
      // sample keeps workers: 0 for a CI runner.
      trino: {
        ...(sample.spec['trino'] as Record<string, unknown>),
        workers: 1,
        workerResources: trinoWorker,
      },
      alerts: alertsSpec(hookSecret),
    });
    writeFileSync(values, stringify({ name: release, spec }));
    await run(cluster.helm, [
      'upgrade',
      '--install',
      release,
      repoPath('charts', 'gravix-pipeline'),
      '--namespace',
      namespace,
      '--create-namespace',
      '-f',
      values,
    ]);
    await waitForPipelineAvailable(namespace, release);
    // A fresh pipeline starts query and alert together with Trino and MinIO: they wait for them (the object store,
    // then TrinoQueryEngine.open) instead of exiting, so none of their containers restarted on the way here.
    const started = [...(await componentPods(namespace, release, 'query')), ...(await alertPods())].map(
      (p) => `${p.metadata.name}: ${restarts(p)} restarts${lastExit(p)}`,
    );
    expect(started).toHaveLength(3);
    expect(started.filter((line) => !/: 0 restarts$/.test(line))).toEqual([]);
    ingestKey = await secretValue(`${release}-api-keys`, 'ingest-key');
    queryToken = await secretValue(`${release}-api-keys`, 'query-token');
    expect(ingestKey).toMatch(/^gx_/);
    expect(queryToken).toMatch(/^gxq_/);
    await kubectl(['apply', '-f', '-'], JSON.stringify(errorRateRule(namespace, release)));
  }, 1_000_000);

  it('runs Trino with one worker that the coordinator lists as active, both pods Ready and never restarted', async () => {
    // ADR 0130: the worker finds the coordinator through its headless Service, and its readiness is its node state.
    const nodes = await waitFor(
      'the coordinator listing one active worker',
      async () => {
        const listed = await trinoNodes(namespace, release).catch(() => [] as TrinoNode[]);
        return listed.some((n) => !n.coordinator && n.state === 'active') ? listed : undefined;
      },
      120_000,
      2_000,
    );
    const worker = (await componentPods(namespace, release, 'trino-worker'))[0]!;
    expect(nodes.map((n) => [n.coordinator, n.state])).toEqual([
      [true, 'active'],
      [false, 'active'],
    ]);
    expect(nodes[1]!.httpUri).toBe(`http://${worker.status.podIP}:8080`);
    const trinoPods = [
      ...(await componentPods(namespace, release, 'trino-coordinator')),
      ...(await componentPods(namespace, release, 'trino-worker')),
    ].map((p) => `${p.metadata.name}: ${restarts(p)} restarts${lastExit(p)}`);
    expect(trinoPods).toEqual([
      `${release}-trino-coordinator-0: 0 restarts`,
      `${release}-trino-worker-0: 0 restarts`,
    ]);
  }, 180_000);

  it('rotates the alert channel HMAC key under the running alert pod: the kubelet swaps the file in place', async () => {
    // The worker read the first key when it started; the kubelet's syncFrequency is 10 s on the test cluster
    // (testbin/cluster/cluster.sh), 1 min by default. The leader is the replica that will send.
    const { leader } = await alertLeaderAndStandbys(namespace, release, 'one alert leader of two Ready pods');
    const pod = leader.pod;
    firstHmacKey = hook!.hmacKey;
    expect((await alertPodHmacKey(namespace, pod.metadata.name)) === firstHmacKey).toBe(true);
    await rotateAlertHookKey(namespace, hookSecret, hook!);
    const started = Date.now();
    await waitFor(
      'the rotated HMAC key in the running alert pod',
      async () => (await alertPodHmacKey(namespace, pod.metadata.name)) === hook!.hmacKey,
      240_000,
      2_000,
    );
    process.stderr.write(`kubelet swapped the rotated key in after ${(Date.now() - started) / 1000} s\n`);
    rotatedUnder = (await alertPods()).find((p) => p.metadata.uid === pod.metadata.uid);
    expect(rotatedUnder).toBeDefined();
  }, 300_000);

  it('takes 5xx traffic for the alerted service through the Ingress', async () => {
    // Sent first, so the minutes settle and roll up while the checks below run; judged in the last test.
    // Retried until the Ingress routes to ingest (as kind-e2e.sh does); the event ids make a retry idempotent.
    const body = alertTrafficNdjson(String(Date.now()), 200);
    const res = await waitUntil(
      async () => {
        const r = await postFactsViaIngress(host, ingestKey, body);
        return r.status === 200 ? r : undefined;
      },
      { what: 'ingest through the Ingress to accept the batch', timeoutMs: 300_000, intervalMs: 2_000 },
    );
    expect(JSON.parse(res.body)).toMatchObject({ accepted: 200, rejected: [] });
  }, 320_000);

  it('takes facts through the Ingress and answers through Trino, counting each once (kind-e2e.sh verify)', async () => {
    // The users' script (the kind path) sends 500 facts with the Secret's ingest key, waits for the rollup, checks
    // the exact counts with the query token, re-sends the batch and checks it was not counted twice.
    const { stderr } = await run('bash', [repoPath('e2e', 'kind-e2e.sh'), 'verify'], {
      env: {
        PATH: `${dirname(cluster.kubectl)}:${process.env['PATH'] ?? ''}`,
        INGRESS_URL: cluster.ingressUrl,
        // The Ingress is reached by the node's address: its rules need the pipeline's host.
        GRAVIX_INGRESS_HOST: host,
        GRAVIX_NAMESPACE: namespace,
        GRAVIX_PIPELINE: release,
        // The rollup runs every 30 s (sample-pipeline.yaml).
        RESEND_SETTLE_SECONDS: '45',
        ARTIFACTS_DIR: artifacts,
      },
      timeoutMs: 1_200_000,
    });
    expect(stderr).toContain(`ok: /api/v1/timeseries counts ${facts} requests and 10 5xx errors`);
    expect(stderr).toContain('ok: a re-sent batch is not double counted');
    // Each credential does one thing: the ingest key may not read.
    expect((await viaIngress('GET', '/api/v1/services', ingestKey)).status).toBe(403);
    const services = await viaIngress('GET', '/api/v1/services', queryToken);
    expect(services.status).toBe(200);
    // The coordinator schedules no work when it has workers (node-scheduler.include-coordinator=false): the counts
    // above were read by the worker's tasks.
    const worker = (await trinoNodes(namespace, release)).find((n) => !n.coordinator)!;
    expect(await metricsTasksOn(namespace, release, worker.nodeId)).toBeGreaterThan(0);
    // ... and merged their histograms with Gravix's function, built by the worker pod's init container with the
    // Trino image (docs/adr/0146); the query pods say they chose it.
    expect(await nativeMergeTasksOn(namespace, release, worker.nodeId)).toBeGreaterThan(0);
    for (const pod of await componentPods(namespace, release, 'query')) {
      const log = await kubectl(['-n', namespace, 'logs', pod.metadata.name, '-c', 'query']);
      expect(log).toContain('Trino merges histograms with gravix_merge_histograms');
    }
    const coordinatorNode = (await trinoNodes(namespace, release)).find((n) => n.coordinator)!;
    process.stderr.write(
      `metrics tasks: worker ${await metricsTasksOn(namespace, release, worker.nodeId)}, ` +
        `coordinator ${await metricsTasksOn(namespace, release, coordinatorNode.nodeId)}\n`,
    );
  }, 1_300_000);

  it('shows the facts in the dashboard, opened in Chromium through the Ingress', async () => {
    const url = new URL(cluster.ingressUrl);
    const browser = await launchChromium({ args: [`--host-resolver-rules=MAP ${host} ${url.hostname}`] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`http://${host}:${url.port}/?service=${service}`);
      await page.fill('#login-token', queryToken);
      await page.press('#login-token', 'Enter');
      await page.waitForSelector('#endpoints-table tbody tr');
      await page.waitForSelector('#card-throughput svg.chart');
      const rows = await page.$$eval('#endpoints-table tbody tr', (trs) =>
        trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())),
      );
      await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
      expect(rows).toHaveLength(1);
      expect(rows[0]!.slice(0, 4)).toEqual(['GET /orders/:id', '500', '10', '0']);
    } finally {
      await browser.close();
    }
  });

  it('fires the alert from the alert worker pod: a signed webhook, the rule status and the pod /metrics', async () => {
    // The 200 facts (50% 503) are judged once a clean rollup pass listed raw/ 75 s after their minute ended,
    // then on the worker's next one-minute tick.
    const call = await waitUntil(async () => hook?.received.find((r) => r.path === '/hooks/gravix'), {
      what: 'the alert webhook',
      timeoutMs: 420_000,
      intervalMs: 2_000,
    });
    // Signed with the key rotated in after the worker started, by the same container (no restart re-read it).
    expect(webhookSignatureProblem(hook!.hmacKey, call)).toBeUndefined();
    expect(webhookSignatureProblem(firstHmacKey, call)).toBe('HMAC does not match the body');
    const sender = (await alertPods()).find((p) => p.metadata.uid === rotatedUnder!.metadata.uid);
    expect(sender && restarts(sender)).toBe(restarts(rotatedUnder!));
    expect(call.headers['content-type']).toMatch(/^application\/json/);
    const payload = JSON.parse(call.body) as { version: string; alerts: Record<string, unknown>[] };
    expect(payload.version).toBe('gravix.alerts/v1');
    expect(payload.alerts).toHaveLength(1);
    const alert = payload.alerts[0]!;
    expect(alert).toMatchObject({
      status: 'firing',
      kind: 'firing',
      rule: ALERT_RULE_NAME,
      tenant: 'default',
      service: ALERT_SERVICE,
      value: '50.0%',
      endsAt: null,
    });
    expect(String(alert['dashboardUrl'])).toContain(`http://${host}/`);

    // `kubectl get gravixalertrules` (the printer columns) shows it firing with its value.
    const table = await waitUntil(
      async () => {
        const out = await kubectl(['-n', namespace, 'get', 'gravixalertrules', ALERT_RULE_NAME]);
        return /\sfiring\s/.test(out) ? out : undefined;
      },
      { what: 'the rule status firing', timeoutMs: 120_000, intervalMs: 2_000 },
    );
    const [header, row] = table
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/));
    expect(header).toEqual(['NAME', 'KIND', 'PIPELINE', 'STATE', 'VALUE', 'FIRING', 'EVALUATED']);
    expect(row!.slice(0, 6)).toEqual([ALERT_RULE_NAME, 'threshold', release, 'firing', '50.0%', '1']);

    // Exactly one of the two replicas evaluates: the Lease holder, the pod the key was rotated under; the standby
    // has evaluated nothing and sent nothing.
    const { leader, standbys } = await alertLeaderAndStandbys(namespace, release, 'one alert leader');
    expect(leader.pod.metadata.uid).toBe(rotatedUnder!.metadata.uid);
    expect(leader.evaluations).toBeGreaterThan(0);
    expect(leader.sent).toBe(1);
    expect(standbys.map((s) => [s.evaluations, s.sent])).toEqual([[0, 0]]);
    // Query and alert open Trino (DDL, warm-up) before they listen: the startup probe gives them time, where
    // liveness alone killed both 2-3 times at load 30. (A worker may still exit and restart when Trino is not up.)
    const kills = await kubectl([
      '-n',
      namespace,
      'get',
      'events',
      '--field-selector=reason=Killing',
      '-o',
      'jsonpath={range .items[*]}{.involvedObject.name}: {.message}{"\\n"}{end}',
    ]);
    expect(kills.split('\n').filter((k) => /-(alert|query)-.*failed liveness probe/.test(k))).toEqual([]);
    // One firing, one notification: later ticks keep it firing without sending it again.
    expect(hook!.received.filter((r) => r.path === '/hooks/gravix')).toHaveLength(1);
  }, 600_000);

  it("kills the alert leader's pod while the alert fires: the standby takes over, no second notification, one resolve", async () => {
    const hooks = () => hook!.received.filter((r) => r.path === '/hooks/gravix');
    const before = await alertLeaderAndStandbys(namespace, release, 'one alert leader and its standby');
    const standby = before.standbys[0]!.pod;
    // Killed as a node loss would: no grace period, the pod object gone at once. Whether the dying worker still
    // releases the Lease or the standby waits out its 15 s, the standby must not announce the firing rule again.
    const killed = Date.now();
    await kubectl([
      '-n',
      namespace,
      'delete',
      'pod',
      before.leader.pod.metadata.name,
      '--grace-period=0',
      '--force',
      '--wait=false',
    ]);
    const after = await alertLeaderAndStandbys(
      namespace,
      release,
      'the standby leading and evaluating, the replacement pod standing by',
      (leader, standbys) =>
        leader.pod.metadata.uid === standby.metadata.uid &&
        leader.evaluations > 0 &&
        standbys.every((s) => s.pod.metadata.uid !== before.leader.pod.metadata.uid),
    );
    process.stderr.write(
      `alert Lease handed over and evaluating ${(Date.now() - killed) / 1000} s after the kill\n`,
    );
    // The replacement pod the Deployment started stands by: it evaluates nothing.
    expect(after.standbys.map((s) => s.evaluations)).toEqual([0]);
    // The new leader evaluated the still-firing rule from the state in the store: it did not announce it again.
    expect(after.leader.sent).toBe(0);
    expect(hooks()).toHaveLength(1);
    expect(await kubectl(['-n', namespace, 'get', 'gravixalertrules', ALERT_RULE_NAME])).toMatch(
      /\sfiring\s/,
    );

    // 2,000 successful requests: the 5-minute window's error rate falls far under the 20% threshold.
    const healthy = await postFactsViaIngress(
      host,
      ingestKey,
      alertTrafficNdjson(`ok-${Date.now()}`, 2000, false),
    );
    expect(JSON.parse(healthy.body)).toMatchObject({ accepted: 2000, rejected: [] });
    const resolve = await waitFor('the resolve webhook', async () => hooks()[1], 480_000, 2_000);
    expect(webhookSignatureProblem(hook!.hmacKey, resolve)).toBeUndefined();
    const payload = JSON.parse(resolve.body) as { alerts: Record<string, unknown>[] };
    expect(payload.alerts).toHaveLength(1);
    expect(payload.alerts[0]).toMatchObject({ status: 'resolved', kind: 'resolved', rule: ALERT_RULE_NAME });
    expect(hooks()).toHaveLength(2);
  }, 900_000);

  it('upgrades spec.version with helm under load: every pod rolls, none stuck, no acknowledged fact lost', async () => {
    await run('bash', [
      clusterScript,
      'tag',
      `${registry}/gravix/gravix-workers:${tag}`,
      `${registry}/gravix/gravix-workers:${nextTag}`,
    ]);
    const before = new Set((await workloadPods(namespace, release)).map((p) => p.metadata.uid));
    // ingest, query, rollup, two alert replicas, the Trino coordinator and worker, and MinIO.
    expect(before.size).toBe(8);
    const generation = Number(
      await kubectl([
        '-n',
        namespace,
        'get',
        `gravixpipeline/${release}`,
        '-o',
        'jsonpath={.metadata.generation}',
      ]),
    );
    const acked = new Set<string>();
    const ingest = `${await serviceClusterIp(namespace, `${release}-ingest`)}:8080`;
    const load = ingestLoad(ingest, ingestKey, upgradeService, acked);
    const started = Date.now();
    const values = join(mkdtempSync(join(tmpdir(), 'gx-e2e-')), 'values.yaml');
    writeFileSync(values, stringify({ name: release, spec: { ...pipelineSpec, version: nextTag } }));
    await run(cluster.helm, [
      'upgrade',
      release,
      repoPath('charts', 'gravix-pipeline'),
      '-n',
      namespace,
      '-f',
      values,
    ]);
    let problem: string | undefined = 'not looked yet';
    await waitFor(
      `every workload pod rolled to ${nextTag}`,
      async () =>
        (problem = rolloutProblem(await workloadPods(namespace, release), before, nextTag)) === undefined,
      900_000,
      3_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${problem}`);
    });
    const rolledAfter = (Date.now() - started) / 1000;
    await waitFor(
      'Available for the new generation',
      () => availableFor(namespace, release, generation + 1),
      600_000,
      3_000,
    );
    const attempts = await load.stop();
    process.stderr.write(
      `upgrade: pods rolled in ${rolledAfter} s, Available after ${(Date.now() - started) / 1000} s; ` +
        `${acked.size} facts acknowledged in ${attempts} posts during the roll\n`,
    );
    expect(acked.size).toBeGreaterThan(0);
    // Once upgraded, the new ingest, rollup and query still take, roll up and count new facts.
    expect(await load.post()).toBe(25);
    const store = await pipelineStore(namespace, release, 'gravix-e2e');
    try {
      await expectAllStored(store, acked, 'across the upgrade');
    } finally {
      store.destroy();
    }
    let counted = -1;
    await waitFor(
      `the query API counting all ${acked.size} facts sent across the upgrade`,
      async () => (counted = await countedRequests(upgradeService, queryToken)) === acked.size,
      300_000,
      5_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}: it counts ${counted}`);
    });
    // The facts from before the upgrade are still counted, once each.
    expect(await countedRequests(service, queryToken)).toBe(facts);
  }, 1_800_000);

  it("raises storage.minio.size: MinIO's StatefulSet is recreated with the new claim template, its pod adopted untouched", async () => {
    // The test cluster's local-path class cannot expand a volume (no allowVolumeExpansion, no resizer): the claim
    // keeps its size and the status names the class; the template is recreated all the same (docs/adr/0105).
    type Owned = { metadata: { uid: string; ownerReferences?: { kind: string; uid: string }[] } };
    const get = async <T>(what: string) =>
      JSON.parse(await kubectl(['-n', namespace, 'get', what, '-o', 'json'])) as T;
    const statefulSet = `statefulset/${release}-minio`;
    const podName = `pod/${release}-minio-0`;
    const before = await get<Owned>(statefulSet);
    const pod = await get<Pod & Owned>(podName);
    expect(pod.metadata.ownerReferences?.[0]?.uid).toBe(before.metadata.uid);
    const values = join(mkdtempSync(join(tmpdir(), 'gx-e2e-')), 'values.yaml');
    const storage = { ...(pipelineSpec['storage'] as Record<string, unknown>), minio: { size: '3Gi' } };
    writeFileSync(values, stringify({ name: release, spec: { ...pipelineSpec, version: nextTag, storage } }));
    await run(cluster.helm, [
      'upgrade',
      release,
      repoPath('charts', 'gravix-pipeline'),
      '-n',
      namespace,
      '-f',
      values,
    ]);
    type Template = {
      spec: { volumeClaimTemplates: { spec: { resources: { requests: { storage: string } } } }[] };
    };
    const after = await waitFor(
      'MinIO StatefulSet recreated with the 3Gi claim template and its pod adopted',
      async () => {
        const s = await get<Owned & Template>(statefulSet).catch(() => undefined);
        if (!s || s.metadata.uid === before.metadata.uid) return undefined;
        if (s.spec.volumeClaimTemplates[0]!.spec.resources.requests.storage !== '3Gi') return undefined;
        const p = await get<Owned>(podName);
        return p.metadata.ownerReferences?.[0]?.uid === s.metadata.uid ? s : undefined;
      },
      300_000,
      2_000,
    );
    const adopted = await get<Pod & Owned>(podName);
    // The same pod, not restarted: the pod template did not change, so the new StatefulSet did not roll it.
    expect(adopted.metadata.uid).toBe(pod.metadata.uid);
    expect(restarts(adopted)).toBe(restarts(pod));
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    type Status = { conditions?: { type: string; status: string; message: string }[] };
    const refused = await waitFor(
      'StorageGrowthRefused naming the class',
      async () => {
        const p = await get<{ status?: Status }>(`gravixpipeline/${release}`);
        return p.status?.conditions?.find((c) => c.type === 'StorageGrowthRefused');
      },
      120_000,
      2_000,
    );
    expect(refused.message).toBe(
      `PersistentVolumeClaim data-${release}-minio-0 stays at 2Gi (the spec asks 3Gi): its StorageClass local-path ` +
        'does not allow volume expansion (allowVolumeExpansion is not true)',
    );
    const claim = await get<{ spec: { resources: { requests: { storage: string } } } }>(
      `pvc/data-${release}-minio-0`,
    );
    expect(claim.spec.resources.requests.storage).toBe('2Gi');
  }, 420_000);
});
