import { mkdirSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { parseAllDocuments } from 'yaml';
import { makePipeline, pipelineObject } from '../crds/testing/pipeline-fixture.js';
import type { PipelineSpecInput } from '../crds/gravix-pipeline-spec.js';
import { synthPipeline } from '../cdk8s/pipeline-chart.js';
import { loadConfig } from '../operator/config.js';
import { startOperator, type RunningOperator } from '../operator/main.js';
import { startKubeApiserver, type KubeApiserver } from '../testbin/harness/kube-apiserver.js';
import { runTool } from '../testbin/harness/run-tool.js';
import { repoPath, testbinPaths } from '../testbin/harness/testbin-paths.js';
import { waitUntil } from '../testbin/harness/wait-until.js';
import { monitoringCrds } from '../operator/testing/monitoring-crds.js';
import { installCrd } from '../operator/testing/kube-test-env.js';
import { crdStoringIn } from '../operator/testing/previous-release-crd.js';
import { upgradePipelineCrd } from '../operator/adapters/crd-upgrade.js';
import { KubeClient } from '../operator/adapters/kube-client.js';
import { KubeStorageClasses } from '../operator/adapters/storage-classes.js';
import { connectionFromKubeConfig } from '../operator/adapters/kube-connection.js';
import { ObjectClient, type AnyObject as KubeObject } from '../operator/testing/object-client.js';

/**
 * Least privilege is only useful if it is also enough: these tests run the real operator in-process with the
 * ServiceAccount token and the environment the chart gives its pod, and check that it reconciles a pipeline
 * with every optional child (ServiceMonitor, PrometheusRule, Ingress; `cube` set, as old objects may, only warns) without a single failed reconcile.
 */

const operatorChart = repoPath('charts', 'gravix-operator');
const fullSpec: PipelineSpecInput = {
  cube: { enabled: true },
  ingress: { enabled: true, host: 'gravix.example.com' },
  monitoring: { enabled: true },
  // The alert worker's Role: the apiserver lets the operator create it only if it holds every rule it grants.
  alerts: { enabled: true },
};

interface EnvVar {
  name: string;
  value?: string;
}

describe('the operator running with the chart RBAC on a real kube-apiserver', () => {
  let apiserver: KubeApiserver;
  let client: ObjectClient;
  const operators: RunningOperator[] = [];

  beforeAll(async () => {
    apiserver = await startKubeApiserver();
    client = ObjectClient.forApiserver(apiserver);
    for (const crd of monitoringCrds) await installCrd(client.client, crd);
    for (const ns of ['gravix-system', 'obs', 'team-a', 'team-b']) await client.createNamespace(ns);
  });

  afterAll(async () => {
    for (const operator of operators) await operator.stop();
    await apiserver?.stop();
  });

  // No Job controller runs here: the crd-upgrade hook Job would never finish, so installs skip hooks; the hook's
  // RBAC is tested on its own below.
  const helm = (...args: string[]) =>
    runTool(testbinPaths().helm, [
      ...args,
      ...(['install', 'upgrade'].includes(args[0]!) ? ['--no-hooks'] : []),
      '--kubeconfig',
      apiserver.kubeconfigPath,
    ]);

  /** A token for the ServiceAccount from the TokenRequest API, as the kubelet would mount it. */
  async function serviceAccountKubeConfig(namespace: string, name: string): Promise<KubeConfig> {
    const review = (await client.request({
      method: 'POST',
      path: `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      },
    })) as { status: { token: string } };
    const admin = apiserver.kubeConfig();
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'test', server: apiserver.url, caData: admin.getCurrentCluster()?.caData }],
      users: [{ name: name, token: review.status.token }],
      contexts: [{ name: 'sa', cluster: 'test', user: name }],
      currentContext: 'sa',
    });
    return kc;
  }

  /** The operator container's environment as rendered by the installed release. */
  async function releaseEnv(release: string, namespace: string): Promise<Record<string, string>> {
    const { stdout } = await helm('get', 'manifest', release, '-n', namespace);
    const deployment = parseAllDocuments(stdout)
      .map((d) => d.toJS() as KubeObject | null)
      .find((o) => o?.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: { env: EnvVar[] }[] } } };
    };
    const env = deployment.spec.template.spec.containers[0]!.env;
    return Object.fromEntries(env.map((e) => [e.name, e.value ?? `${release}-pod`]));
  }

  async function startOperatorAs(release: string, namespace: string, serviceAccount: string) {
    const env = await releaseEnv(release, namespace);
    // The pod would listen on 8080; in-process operators share the host, so take any free port.
    const config = loadConfig({
      ...env,
      GRAVIX_OPERATOR_HTTP_HOST: '127.0.0.1',
      GRAVIX_OPERATOR_HTTP_PORT: '0',
    });
    mkdirSync(repoPath('test-artifacts', 'logs'), { recursive: true });
    const logger = pino(
      { level: 'debug' },
      pino.destination({
        dest: repoPath('test-artifacts', 'logs', `chart-rbac-${release}-${Date.now()}.log`),
      }),
    );
    const operator = await startOperator(
      config,
      await serviceAccountKubeConfig(namespace, serviceAccount),
      logger,
    );
    operators.push(operator);
    return operator;
  }

  async function stopOperator(operator: RunningOperator) {
    operators.splice(operators.indexOf(operator), 1);
    await operator.stop();
  }

  const reconcileResults = async (operator: RunningOperator) => {
    const metric = await operator.metrics.reconciles.get();
    return Object.fromEntries(metric.values.map((v) => [String(v.labels['result']), v.value]));
  };

  async function expectChildren(name: string, namespace: string) {
    // The storage Job's name ends in a hash that covers the generated Secrets' live values (they roll the pods
    // that read them), which only the operator knows: any storage Job of the pipeline will do.
    const storageJob = /-storage-setup-[0-9a-f]{8}$/;
    await waitUntil(
      async () => {
        const path = await client.collectionPath({
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: '', namespace },
        });
        const jobs = await client.request<{ items: { metadata: { name: string } }[] }>({
          method: 'GET',
          path,
        });
        return jobs.items.some((j) => j.metadata.name.startsWith(`${name}-storage-setup-`));
      },
      { what: `the storage Job of ${name} in ${namespace}`, timeoutMs: 30_000 },
    );
    for (const m of synthPipeline(makePipeline(fullSpec, name, namespace))) {
      if (m.kind === 'Job' && storageJob.test(m.metadata.name)) continue;
      const child = {
        apiVersion: m.apiVersion,
        kind: m.kind,
        metadata: { name: m.metadata.name, namespace },
      };
      await waitUntil(async () => (await client.read(child)).status === 200, {
        what: `${m.kind}/${m.metadata.name} in ${namespace}`,
        timeoutMs: 30_000,
      });
    }
  }

  async function waitObservedGeneration(name: string, namespace: string) {
    const pipeline = {
      apiVersion: 'gravix.dev/v1alpha1',
      kind: 'GravixPipeline',
      metadata: { name, namespace },
    };
    return waitUntil(
      async () => {
        const { body } = await client.read(pipeline);
        const status = (body as { status?: { observedGeneration?: number } }).status;
        return status?.observedGeneration === 1 ? status : undefined;
      },
      { what: `${namespace}/${name} observedGeneration 1`, timeoutMs: 30_000 },
    );
  }

  it('reconciles a pipeline in any namespace as the cluster-wide ServiceAccount', async () => {
    const install = await helm(
      'install',
      'gravix',
      operatorChart,
      '-n',
      'gravix-system',
      '--set',
      'watchAllNamespaces=true',
    );
    expect(install.exitCode).toBe(0);
    const operator = await startOperatorAs('gravix', 'gravix-system', 'gravix-gravix-operator');
    await client.create(pipelineObject(fullSpec, 'alpha', 'obs') as KubeObject);
    await expectChildren('alpha', 'obs');
    await waitObservedGeneration('alpha', 'obs');
    expect(await reconcileResults(operator)).not.toHaveProperty('error');
    await stopOperator(operator);
  });

  it('takes the Lease in the release namespace when replicas > 1', async () => {
    const upgrade = await helm(
      'upgrade',
      'gravix',
      operatorChart,
      '-n',
      'gravix-system',
      '--set',
      'replicas=2,watchAllNamespaces=true',
    );
    expect(upgrade.exitCode).toBe(0);
    const operator = await startOperatorAs('gravix', 'gravix-system', 'gravix-gravix-operator');
    try {
      await waitUntil(async () => operator.isLeader(), { what: 'operator leads (Lease)', timeoutMs: 20_000 });
      const lease = await client.read({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'gravix-gravix-operator', namespace: 'gravix-system' },
      });
      expect(lease.body).toMatchObject({ spec: { holderIdentity: 'gravix-pod' } });
    } finally {
      await stopOperator(operator);
    }
  });

  it('reconciles its own namespace only with the default (namespace-scoped) RBAC', async () => {
    const install = await helm('install', 'scoped', operatorChart, '-n', 'team-a');
    expect(install.exitCode).toBe(0);
    const { stdout } = await helm('get', 'manifest', 'scoped', '-n', 'team-a');
    const kinds = parseAllDocuments(stdout).map((d) => (d.toJS() as KubeObject | null)?.kind);
    expect(kinds).not.toContain('ClusterRole');
    expect(kinds).not.toContain('ClusterRoleBinding');
    const operator = await startOperatorAs('scoped', 'team-a', 'scoped-gravix-operator');
    await client.create(pipelineObject(fullSpec, 'beta', 'team-a') as KubeObject);
    await client.create(pipelineObject({}, 'gamma', 'team-b') as KubeObject);
    await expectChildren('beta', 'team-a');
    await waitObservedGeneration('beta', 'team-a');
    expect(await reconcileResults(operator)).not.toHaveProperty('error');
    const outside = await client.read({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'gamma-ingest', namespace: 'team-b' },
    });
    expect(outside.status).toBe(404);
  });

  it('reads StorageClasses and the Prometheus operator CRDs (by name only) with the cluster reads, and gets 403 without', async () => {
    await client.create({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'rbac-expandable' },
      provisioner: 'example.com/disk',
      allowVolumeExpansion: true,
    } as unknown as KubeObject);
    const crdList = (as: KubeClient, name: string) =>
      as
        .request({
          method: 'GET',
          path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
          query: { fieldSelector: `metadata.name=${name}` },
        })
        .then(
          () => 200,
          (e: { status?: number }) => e.status,
        );
    const as = async (namespace: string, account: string) =>
      new KubeClient(await connectionFromKubeConfig(await serviceAccountKubeConfig(namespace, account)));
    // The cluster-wide install (first test) carries the cluster reads.
    const cluster = await as('gravix-system', 'gravix-gravix-operator');
    const scoped = await as('team-a', 'scoped-gravix-operator');
    try {
      expect(await new KubeStorageClasses(cluster).expansion('rbac-expandable')).toEqual({
        readable: true,
        exists: true,
        allowVolumeExpansion: true,
      });
      expect(await crdList(cluster, 'servicemonitors.monitoring.coreos.com')).toBe(200);
      expect(await crdList(cluster, 'gravixpipelines.gravix.dev')).toBe(403);
      // The default namespaced install cannot tell: the apiserver's refusal of a growth decides (docs/adr/0105).
      expect(await new KubeStorageClasses(scoped).expansion('rbac-expandable')).toEqual({ readable: false });
      expect(await crdList(scoped, 'servicemonitors.monitoring.coreos.com')).toBe(403);
    } finally {
      cluster.close();
      scoped.close();
    }
  });

  it('notices a Prometheus operator installed later without CRD reads (403), at the chart’s optionalKindRetry pace', async () => {
    // Uninstalled: the kinds answer 404 again (the operators of earlier tests stop applying them).
    for (const crd of monitoringCrds)
      await client.request({
        method: 'DELETE',
        path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      });
    const monitorsPath = (namespace: string) =>
      `/apis/monitoring.coreos.com/v1/namespaces/${namespace}/servicemonitors`;
    await waitUntil(
      () =>
        client.request({ method: 'GET', path: monitorsPath('team-a') }).then(
          () => false,
          (e: { status?: number }) => e.status === 404,
        ),
      { what: 'ServiceMonitors no longer served', timeoutMs: 30_000 },
    );
    await client.createNamespace('team-c');
    const retry = 'optionalKindRetry.seconds=1,optionalKindRetry.maxSeconds=2';
    expect((await helm('install', 'later', operatorChart, '-n', 'team-c', '--set', retry)).exitCode).toBe(0);
    const started = Date.now();
    const operator = await startOperatorAs('later', 'team-c', 'later-gravix-operator');
    const restarts = async (kind: string) =>
      (await operator.metrics.watchRestarts.get()).values.find((v) => v.labels['kind'] === kind)?.value ?? 0;
    try {
      await client.create(
        pipelineObject({ monitoring: { enabled: true } }, 'epsilon', 'team-c') as KubeObject,
      );
      await waitObservedGeneration('epsilon', 'team-c');
      // The namespaced Role cannot watch CRDs (403) and ServiceMonitors are not served (404).
      await waitUntil(
        async () =>
          (await restarts('CustomResourceDefinition')) > 0 && (await restarts('ServiceMonitor')) > 0,
        {
          what: 'the CRD watch refused and the ServiceMonitor watch unserved',
          timeoutMs: 30_000,
        },
      );
      const installed = Date.now();
      for (const crd of monitoringCrds) await installCrd(client.client, crd);
      await waitUntil(
        () =>
          client.request<{ items: unknown[] }>({ method: 'GET', path: monitorsPath('team-c') }).then(
            (l) => l.items.length > 0,
            () => false,
          ),
        { what: 'the ServiceMonitor of epsilon, through the kind’s own retry', timeoutMs: 30_000 },
      );
      const seconds = (Date.now() - installed) / 1000;
      process.stderr.write(`namespaced operator applied the ServiceMonitor ${seconds} s after the CRDs\n`);
      // Refused, each CRD watch (one per optional kind, counted under one label) is asked at the same slow pace
      // (1 s doubling to 2 s here), never in a tight loop: at most one restart a second each, plus its first.
      const elapsed = (Date.now() - started) / 1000;
      expect(await restarts('CustomResourceDefinition')).toBeLessThanOrEqual(
        monitoringCrds.length * (Math.ceil(elapsed) + 1),
      );
      expect(await reconcileResults(operator)).not.toHaveProperty('error');
    } finally {
      await stopOperator(operator);
    }
  });

  it('migrates every stored pipeline as the crd-upgrade hook ServiceAccount, with nothing more than its rules', async () => {
    // Storage flipped back to v1alpha1 (both served), so pipelines written now are stored as v1alpha1 and
    // storedVersions lists both: the hook has everything to do, including trimming storedVersions.
    await installCrd(client.client, crdStoringIn('v1alpha1') as { metadata: { name: string } });
    await client.create(pipelineObject({}, 'delta', 'team-b') as KubeObject);
    const { stdout, exitCode } = await helm(
      'template',
      'hook',
      operatorChart,
      '-n',
      'gravix-system',
      '--show-only',
      'templates/crd-upgrade.yaml',
    );
    expect(exitCode).toBe(0);
    const objects = parseAllDocuments(stdout).map((d) => d.toJS() as KubeObject);
    expect(objects.map((o) => o.kind)).toEqual([
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Job',
    ]);
    for (const o of objects.filter((o) => o.kind !== 'Job')) await client.create(o);
    const job = objects.find((o) => o.kind === 'Job') as unknown as {
      spec: { template: { spec: { serviceAccountName: string; containers: { args: string[] }[] } } };
    };
    expect(job.spec.template.spec.containers[0]!.args).toEqual(['crd-upgrade']);
    const account = job.spec.template.spec.serviceAccountName;
    const connection = await connectionFromKubeConfig(
      await serviceAccountKubeConfig('gravix-system', account),
    );
    const asHook = new KubeClient(connection);
    try {
      const result = await upgradePipelineCrd(asHook, pino({ level: 'silent' }), 60_000);
      expect(result.dropped).toEqual(['v1alpha1']);
      expect(result.rewritten).toBeGreaterThanOrEqual(4);
    } finally {
      asHook.close();
    }
    const crd = await client.read({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gravixpipelines.gravix.dev' },
    });
    expect((crd.body as { status: { storedVersions: string[] } }).status.storedVersions).toEqual(['v1beta1']);
    // An operator upgraded from a release without alert rules gets their CRD from the hook (Helm would not).
    const alertRules = await client.read({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gravixalertrules.gravix.dev' },
    });
    expect((alertRules.body as { spec: { names: { kind: string } } }).spec.names.kind).toBe(
      'GravixAlertRule',
    );
    const tenants = await client.read({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gravixtenants.gravix.dev' },
    });
    expect((tenants.body as { spec: { names: { kind: string } } }).spec.names.kind).toBe('GravixTenant');
  });
});
