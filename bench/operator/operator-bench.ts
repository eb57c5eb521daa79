import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { pipelineObject } from '../../crds/testing/pipeline-fixture.js';
import { freePort } from '../../testbin/harness/free-port.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import type { KubeClient } from '../../operator/adapters/kube-client.js';
import { pipelinePath } from '../../operator/testing/operator-fixture.js';
import { resourcePath } from '../../operator/adapters/resource-paths.js';
import { TENANT_API_VERSION, TENANT_KIND } from '../../crds/gravix-tenant-crd.js';
import { startKubeTestEnv } from '../../operator/testing/kube-test-env.js';
import { sampleProcess, type ProcessSample } from './operator-metrics-probe.js';

/**
 * Operator bench (run: bash bench/operator/run.sh). Starts a real apiserver and the built
 * `gravix operator` process, then prints JSON: create-to-applied latency, and in steady state with 100 pipelines
 * (two resync periods, nothing changing) the API requests per minute by verb, writes per resync, CPU and RSS.
 * Targets: p50 < 2 s; RSS < 150 MiB; zero writes per resync. Floor: no GET and no write per resync (the pass reads
 * its pipeline, children, claims and pods from the watch caches); the Prometheus operator discovery GET, once a
 * minute, is the only read left. Every pipeline has a GravixTenant (the operator watches them, publishes each in its
 * pipeline's tenants ConfigMap and writes its status), so the steady state includes the tenant watch and statuses.
 */
const SINGLE_RUNS = 5;
const PIPELINES = 100 - SINGLE_RUNS;
const RESYNC_SECONDS = 60;
const STEADY_WINDOW_MS = 2 * RESYNC_SECONDS * 1000;
const WRITE_VERBS = ['POST', 'PUT', 'PATCH', 'DELETE'];
/**
 * V8 flags for the operator process: the chart's `nodeOptions` (its operator Deployment's NODE_OPTIONS), so the
 * bench measures what is deployed; GRAVIX_BENCH_OPERATOR_NODE_OPTIONS overrides it for an A/B ('' for V8's defaults).
 */
const OPERATOR_NODE_OPTIONS =
  process.env['GRAVIX_BENCH_OPERATOR_NODE_OPTIONS'] ??
  String(
    (
      parse(readFileSync(resolve('charts', 'gravix-operator', 'values.yaml'), 'utf8')) as {
        nodeOptions?: string;
      }
    ).nodeOptions ?? '',
  );

function startOperatorProcess(kubeconfig: string, port: number): ChildProcess {
  // run.sh starts the bench from the repository root, where `npm run build` put the CLI.
  return spawn('node', [resolve('dist', 'cli', 'gravix.js'), 'operator'], {
    env: {
      ...process.env,
      GRAVIX_OPERATOR_KUBECONFIG: kubeconfig,
      GRAVIX_OPERATOR_HTTP_HOST: '127.0.0.1',
      GRAVIX_OPERATOR_HTTP_PORT: String(port),
      GRAVIX_OPERATOR_RESYNC_SECONDS: String(RESYNC_SECONDS),
      GRAVIX_OPERATOR_LOG_LEVEL: 'warn',
      NODE_OPTIONS: OPERATOR_NODE_OPTIONS,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function observed(client: KubeClient, name: string): Promise<boolean> {
  const p = await client.request<{ status?: { observedGeneration?: number } }>({
    method: 'GET',
    path: pipelinePath(name),
  });
  return p.status?.observedGeneration === 1;
}

/**
 * Time from POST of the CR until the operator has applied every child (it writes status only after that). The
 * fleet polls every 250 ms with a long deadline: a hundred 10 ms pollers would load the apiserver more than the
 * operator does, and on a loaded 2-core machine 100 first passes take minutes.
 */
async function createToApplied(client: KubeClient, name: string, fleet = false): Promise<number> {
  const start = performance.now();
  await client.request({ method: 'POST', path: pipelinePath(), body: pipelineObject({}, name) });
  await waitUntil(() => observed(client, name), {
    what: `${name} applied`,
    timeoutMs: fleet ? 1_800_000 : 60_000,
    intervalMs: fleet ? 250 : 10,
  });
  return performance.now() - start;
}

const tenantPath = (name?: string) =>
  resourcePath({ apiVersion: TENANT_API_VERSION, kind: TENANT_KIND, namespace: 'default', name });

/** One GravixTenant for the pipeline, waited for until the operator has published it (status Accepted). */
async function createTenant(client: KubeClient, pipeline: string): Promise<void> {
  const name = `${pipeline}-tenant`;
  await client.request({
    method: 'POST',
    path: tenantPath(),
    body: {
      apiVersion: TENANT_API_VERSION,
      kind: TENANT_KIND,
      metadata: { name, namespace: 'default' },
      spec: { pipelineRef: { name: pipeline }, quotas: { eventsPerSecond: 100 } },
    },
  });
  await waitUntil(
    async () => {
      const t = await client.request<{ status?: { phase?: string } }>({
        method: 'GET',
        path: tenantPath(name),
      });
      return t.status?.phase === 'Accepted';
    },
    { what: `${name} Accepted`, timeoutMs: 900_000, intervalMs: 1_000 },
  );
}

/** Pipelines whose Degraded condition is True, counted by message (first 160 characters), so failures say why. */
async function degradedReasons(client: KubeClient): Promise<Record<string, number>> {
  const list = await client.request<{
    items: { status?: { conditions?: { type: string; status: string; message?: string }[] } }[];
  }>({ method: 'GET', path: pipelinePath() });
  const out: Record<string, number> = {};
  for (const p of list.items) {
    const c = p.status?.conditions?.find((x) => x.type === 'Degraded' && x.status === 'True');
    if (c) out[(c.message ?? '').slice(0, 160)] = (out[(c.message ?? '').slice(0, 160)] ?? 0) + 1;
  }
  return out;
}

/** Per-minute increase of each counter that moved in the window. */
function perMinuteDelta(before: Record<string, number>, after: Record<string, number>, minutes: number) {
  return Object.fromEntries(
    Object.keys(after)
      .sort()
      .map((k) => [k, Math.round(((after[k] ?? 0) - (before[k] ?? 0)) / minutes)] as const)
      .filter(([, n]) => n !== 0),
  );
}

/** The other pipelines at once, then a GravixTenant for every pipeline (the single runs' too). */
async function createFleet(client: KubeClient) {
  const fleetStart = performance.now();
  const names = Array.from({ length: PIPELINES }, (_, i) => `fleet-${i}`);
  const fleet = await Promise.all(names.map((name) => createToApplied(client, name, true)));
  const fleetMs = performance.now() - fleetStart;
  const tenantsStart = performance.now();
  const allNames = [...Array.from({ length: SINGLE_RUNS }, (_, i) => `single-${i}`), ...names];
  await Promise.all(allNames.map((name) => createTenant(client, name)));
  return { fleet, fleetMs, tenants: allNames.length, tenantsMs: performance.now() - tenantsStart };
}

/** CPU time per pass and passes per CPU second between two samples: throughput that the load average cannot skew. */
function cpuPerPass(before: ProcessSample, after: ProcessSample) {
  const passes = after.passes - before.passes;
  const cpu = after.cpuSeconds - before.cpuSeconds;
  return {
    passesInWindow: passes,
    cpuSeconds: Math.round(cpu * 100) / 100,
    cpuMsPerPass: passes > 0 ? Math.round((cpu / passes) * 10_000) / 10 : null,
    passesPerCpuSecond: cpu > 0 ? Math.round((passes / cpu) * 10) / 10 : null,
  };
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * p)]!;
const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round = (ms: number) => Math.round(ms);
const heapMiB = (s: { heap: Record<string, number> }) =>
  Object.fromEntries(Object.entries(s.heap).map(([k, v]) => [k.replace(/Bytes$/, ''), mib(v)]));

/**
 * The steady window: requests by verb and resource, writes and GETs per resync, CPU, and the RSS at its end beside
 * its median and range over the window (one sample moves with where the garbage collector happens to be).
 */
function steadyState(before: ProcessSample, after: ProcessSample, rss: number[]) {
  const minutes = STEADY_WINDOW_MS / 60_000;
  const delta = (verb: string) => (after.requests[verb] ?? 0) - (before.requests[verb] ?? 0);
  const verbs = [...new Set([...Object.keys(after.requests), ...Object.keys(before.requests)])].sort();
  const perMinute = Object.fromEntries(verbs.map((v) => [v, Math.round(delta(v) / minutes)]));
  const writes = WRITE_VERBS.reduce((n, v) => n + delta(v), 0);
  const resyncs = STEADY_WINDOW_MS / 1000 / RESYNC_SECONDS;
  const window = rss.length > 0 ? rss : [after.rssBytes];
  return {
    windowSeconds: STEADY_WINDOW_MS / 1000,
    resyncSeconds: RESYNC_SECONDS,
    passes: after.passes - before.passes,
    failedPasses: after.failedPasses - before.failedPasses,
    syntheses: perMinuteDelta(before.syntheses, after.syntheses, 1),
    ...cpuPerPass(before, after),
    apiRequestsPerMinute: { total: Object.values(perMinute).reduce((a, b) => a + b, 0), ...perMinute },
    getsPerMinuteByResource: perMinuteDelta(before.getsByResource, after.getsByResource, minutes),
    writesPerResync: writes / resyncs,
    getsPerResync: delta('GET') / resyncs,
    cpuCores: Math.round(((after.cpuSeconds - before.cpuSeconds) / (STEADY_WINDOW_MS / 1000)) * 1000) / 1000,
    rssMiB: mib(after.rssBytes),
    rssWindowMiB: {
      min: mib(Math.min(...window)),
      median: mib(percentile(window, 0.5)),
      max: mib(Math.max(...window)),
      samples: window.length,
    },
    heapMiB: heapMiB(after),
  };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg().map((l) => Math.round(l * 10) / 10);
  const env = await startKubeTestEnv();
  const port = await freePort();
  const operator = startOperatorProcess(env.apiserver.kubeconfigPath, port);
  try {
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok, {
      what: 'operator ready',
      timeoutMs: 30_000,
    });
    // The floor for RSS: the same process, watches started, no pipeline yet (Node, the modules, empty caches).
    const idle = await sampleProcess(port);
    const single: number[] = [];
    for (let i = 0; i < SINGLE_RUNS; i++) single.push(await createToApplied(env.client, `single-${i}`));

    let peakRss = 0;
    const steadyRss: number[] = [];
    let steady = false;
    const sampler = setInterval(() => {
      void sampleProcess(port).then(
        (s) => {
          peakRss = Math.max(peakRss, s.rssBytes);
          if (steady) steadyRss.push(s.rssBytes);
        },
        () => undefined,
      );
    }, 250);
    const beforeFleet = await sampleProcess(port);
    const { fleet, fleetMs, tenants, tenantsMs } = await createFleet(env.client);
    const afterFleet = await sampleProcess(port);

    // Let the first resync after the burst settle (it may re-apply what the watch cache had not seen yet).
    await new Promise((r) => setTimeout(r, RESYNC_SECONDS * 1000));
    const before = await sampleProcess(port);
    steady = true;
    await new Promise((r) => setTimeout(r, STEADY_WINDOW_MS));
    const after = await sampleProcess(port);
    clearInterval(sampler);
    const degraded = await degradedReasons(env.client);
    const pipelines = PIPELINES + SINGLE_RUNS;
    const result = {
      operatorNodeOptions: OPERATOR_NODE_OPTIONS,
      loadAverage: { start: loadAtStart, end: loadavg().map((l) => Math.round(l * 10) / 10) },
      createToAppliedMs: {
        runs: single.map(round),
        p50: round(percentile(single, 0.5)),
        max: round(Math.max(...single)),
      },
      fleet: {
        pipelines,
        allAppliedMs: round(fleetMs),
        perPipelineP50Ms: round(percentile(fleet, 0.5)),
        perPipelineP95Ms: round(percentile(fleet, 0.95)),
        tenants,
        allTenantsAcceptedMs: round(tenantsMs),
        ...cpuPerPass(beforeFleet, afterFleet),
      },
      steadyState: steadyState(before, after, steadyRss),
      degraded,
      floor: {
        getsPerResync: 0,
        writesPerResync: 0,
        rssIdleMiB: mib(idle.rssBytes),
        heapIdleMiB: heapMiB(idle),
      },
      peakRssMiB: mib(Math.max(peakRss, after.rssBytes)),
      targets: { createToAppliedP50Ms: 2000, rssMiB: 150, writesPerResync: 0 },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    if (operator.exitCode === null) {
      operator.kill('SIGTERM');
      await new Promise((r) => operator.once('exit', r));
    }
    await env.stop();
  }
}

await main();
