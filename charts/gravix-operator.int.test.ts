import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { renderAlertRuleCrdYaml, renderCrdYaml, renderTenantCrdYaml } from '../crds/write-crd.js';
import { buildPipelineValuesSchema } from '../crds/pipeline-values-schema.js';
import { loadConfig } from '../operator/config.js';
import { clusterReadRules, rbacRules } from '../operator/domain/kind-registry.js';
import { startKubeApiserver, type KubeApiserver } from '../testbin/harness/kube-apiserver.js';
import { runTool } from '../testbin/harness/run-tool.js';
import { repoPath, testbinPaths } from '../testbin/harness/testbin-paths.js';
import { monitoringCrds } from '../operator/testing/monitoring-crds.js';
import { installCrd } from '../operator/testing/kube-test-env.js';
import { ObjectClient, type AnyObject as KubeObject } from '../operator/testing/object-client.js';

const operatorChart = repoPath('charts', 'gravix-operator');
const pipelineChart = repoPath('charts', 'gravix-pipeline');
const everyOption = [
  '--set',
  'metrics.serviceMonitor.enabled=true,prometheusRule.enabled=true,grafanaDashboard.enabled=true,replicas=2',
];

const helm = (...args: string[]) => runTool(testbinPaths().helm, args);

function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((obj): obj is KubeObject => obj !== null);
}

interface RenderedContainer {
  env: { name: string; value?: string }[];
  image: string;
  args: string[];
  ports: unknown[];
  readinessProbe: { httpGet: unknown };
  livenessProbe: { httpGet: unknown };
  securityContext: unknown;
}

interface RenderedDeployment {
  spec: { template: { spec: { securityContext: unknown; containers: RenderedContainer[] } } };
}

const names = (objects: KubeObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

describe('gravix-operator chart (offline)', () => {
  it('passes helm lint --strict with default values and with every option enabled', async () => {
    for (const args of [
      [],
      everyOption,
      ['--set', 'watchNamespace=team-a'],
      ['--set', 'watchAllNamespaces=true'],
    ]) {
      const result = await helm('lint', '--strict', operatorChart, ...args);
      expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
      expect(result.exitCode).toBe(0);
    }
  });

  it('rejects a misspelt value through values.schema.json, naming the key', async () => {
    const result = await helm('template', 'gx', operatorChart, '--set', 'replica=2');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("- at '': additional properties 'replica' not allowed");
  });

  it('rejects a log level outside the allowed set, naming the field and the allowed values', async () => {
    const result = await helm('template', 'gx', operatorChart, '--set', 'logLevel=loud');
    expect(result.stderr).toContain(
      "- at '/logLevel': value must be one of 'trace', 'debug', 'info', 'warn', 'error'",
    );
  });

  it('ships the GravixPipeline CRD that crds/write-crd.ts renders (charts/sync-crds.sh keeps it in sync)', () => {
    const shipped = readFileSync(
      repoPath('charts/gravix-operator/crds/gravix.dev_gravixpipelines.yaml'),
      'utf8',
    );
    expect(parse(shipped)).toEqual(parse(renderCrdYaml()));
  });

  it('ships the GravixAlertRule CRD that crds/write-crd.ts renders, with its printer columns', () => {
    const shipped = parse(
      readFileSync(repoPath('charts/gravix-operator/crds/gravix.dev_gravixalertrules.yaml'), 'utf8'),
    ) as { spec: { versions: { additionalPrinterColumns: { name: string; jsonPath: string }[] }[] } };
    expect(shipped).toEqual(parse(renderAlertRuleCrdYaml()));
    // `kubectl get gravixalertrules` shows state and last value.
    expect(shipped.spec.versions[0]!.additionalPrinterColumns.map((c) => [c.name, c.jsonPath])).toEqual(
      expect.arrayContaining([
        ['State', '.status.state'],
        ['Value', '.status.value'],
      ]),
    );
  });

  it('ships the GravixTenant CRD that crds/write-crd.ts renders', () => {
    const shipped = parse(
      readFileSync(repoPath('charts/gravix-operator/crds/gravix.dev_gravixtenants.yaml'), 'utf8'),
    ) as unknown;
    expect(shipped).toEqual(parse(renderTenantCrdYaml()));
  });

  it('ships the self-monitoring rules and dashboard from dashboards/ (charts/sync-monitoring.sh)', () => {
    for (const [copy, source] of [
      ['files/gravix-rules.yaml', 'dashboards/prometheus/gravix-rules.yaml'],
      ['files/gravix-self-monitoring.json', 'dashboards/grafana/gravix-self-monitoring.json'],
    ] as const) {
      expect(readFileSync(repoPath('charts/gravix-operator', copy), 'utf8')).toBe(
        readFileSync(repoPath(source), 'utf8'),
      );
    }
  });

  it('renders a runnable, non-root operator Deployment with probes on port 8080', async () => {
    const { stdout } = await helm('template', 'gx', operatorChart, '-n', 'gravix-system');
    const deployment = parseManifests(stdout).find(
      (o) => o.kind === 'Deployment',
    ) as unknown as RenderedDeployment;
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0]!;
    expect(container.image).toBe('gravix/gravix-operator:0.1.0');
    expect(container.args).toEqual(['operator']);
    // The V8 flags bench/operator measures the operator with (docs/adr/0114).
    expect(container.env).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-semi-space-size=4' });
    expect(container.ports).toEqual([{ name: 'http-metrics', containerPort: 8080, protocol: 'TCP' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http-metrics' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http-metrics' });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('configures the operator through env vars that operator/config.ts accepts', async () => {
    const { stdout } = await helm(
      'template',
      'gx',
      operatorChart,
      '-n',
      'gravix-system',
      '--set',
      'replicas=2,watchNamespace=team-a,logLevel=debug,optionalKindRetry.seconds=5,optionalKindRetry.maxSeconds=20',
    );
    const deployment = parseManifests(stdout).find(
      (o) => o.kind === 'Deployment',
    ) as unknown as RenderedDeployment;
    const env = deployment.spec.template.spec.containers[0]!.env;
    // The downward API fills fieldRef values in a real pod; stand in the pod name.
    const values = Object.fromEntries(env.map((e) => [e.name, e.value ?? 'gx-gravix-operator-7d9f-abcde']));
    expect(loadConfig(values)).toMatchObject({
      namespace: 'team-a',
      http: { port: 8080 },
      logLevel: 'debug',
      leaderElection: {
        enabled: true,
        namespace: 'gravix-system',
        name: 'gx-gravix-operator',
        identity: 'gx-gravix-operator-7d9f-abcde',
      },
      optionalKindRetry: { firstMs: 5_000, maxMs: 20_000 },
    });
  });

  it('refuses an optional-kind retry longer than its maximum, naming both values', async () => {
    const result = await helm('template', 'gx', operatorChart, '--set', 'optionalKindRetry.seconds=700');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(
      'optionalKindRetry.seconds (700) must not exceed optionalKindRetry.maxSeconds (600)',
    );
  });

  it('grants exactly the rules the kind registry derives from how each kind is written, Role or ClusterRole', async () => {
    for (const [extra, kind] of [
      [[], 'Role'],
      [['--set', 'watchAllNamespaces=true'], 'ClusterRole'],
    ] as const) {
      const { stdout } = await helm('template', 'gx', operatorChart, '-n', 'gravix-system', ...extra);
      const manager = parseManifests(stdout).find(
        (o) => o.metadata.name === 'gx-gravix-operator-manager' && o.kind === kind,
      );
      expect(manager?.rules).toEqual(rbacRules());
    }
  });

  it('grants the cluster-scoped reads (StorageClasses, the Prometheus operator CRDs by name) only with watchAllNamespaces or rbac.clusterReads', async () => {
    const clusterReads = async (...extra: string[]) => {
      const { stdout } = await helm('template', 'gx', operatorChart, '-n', 'gravix-system', ...extra);
      const objects = parseManifests(stdout);
      const role = objects.find(
        (o) => o.kind === 'ClusterRole' && o.metadata.name === 'gx-gravix-operator-cluster-reads',
      );
      const binding = objects.find(
        (o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === 'gx-gravix-operator-cluster-reads',
      ) as (KubeObject & { subjects?: unknown[] }) | undefined;
      return { rules: role?.rules, subjects: binding?.subjects };
    };
    const subjects = [{ kind: 'ServiceAccount', name: 'gx-gravix-operator', namespace: 'gravix-system' }];
    expect(await clusterReads()).toEqual({ rules: undefined, subjects: undefined });
    expect(await clusterReads('--set', 'watchAllNamespaces=true')).toEqual({
      rules: clusterReadRules(),
      subjects,
    });
    expect(await clusterReads('--set', 'rbac.clusterReads=true')).toEqual({
      rules: clusterReadRules(),
      subjects,
    });
  });

  it('limits the operator pods to the API server endpoints it is given, and to its ports when none is known', async () => {
    type Policy = KubeObject & { spec: { podSelector: unknown; policyTypes: string[]; egress: unknown[] } };
    const policyOf = (text: string) =>
      parseManifests(text).find((o) => o.kind === 'NetworkPolicy') as Policy | undefined;
    const given = await helm(
      'template',
      'gx',
      operatorChart,
      '--set',
      'networkPolicy.apiServer[0].cidr=10.1.2.3/32,networkPolicy.apiServer[0].port=6443',
    );
    const policy = policyOf(given.stdout)!;
    expect(policy.spec).toEqual({
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/name': 'gravix-operator',
          'app.kubernetes.io/instance': 'gx',
          'app.kubernetes.io/component': 'operator',
        },
      },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.1.2.3/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] }],
    });
    // helm template has no cluster to look the endpoints up in.
    const unknown = policyOf((await helm('template', 'gx', operatorChart)).stdout)!;
    expect(unknown.spec.egress).toEqual([
      {
        ports: [
          { protocol: 'TCP', port: 443 },
          { protocol: 'TCP', port: 6443 },
        ],
      },
    ]);
    const off = await helm('template', 'gx', operatorChart, '--set', 'networkPolicy.enabled=false');
    expect(policyOf(off.stdout)).toBeUndefined();
  });

  it('refuses watchAllNamespaces together with watchNamespace', async () => {
    const result = await helm(
      'template',
      'gx',
      operatorChart,
      '--set',
      'watchAllNamespaces=true,watchNamespace=team-a',
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('set watchAllNamespaces or watchNamespace, not both');
  });

  it('pins the image by digest when one is given', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const { stdout } = await helm('template', 'gx', operatorChart, '--set', `image.digest=${digest}`);
    expect(stdout).toContain(`image: "gravix/gravix-operator@${digest}"`);
  });

  it('pulls the operator from image.registry when one is given, and refuses a registry written as a URL', async () => {
    const { stdout } = await helm(
      'template',
      'gx',
      operatorChart,
      '--set',
      'image.registry=registry.internal:5000/team',
    );
    expect(stdout).toContain('image: "registry.internal:5000/team/gravix/gravix-operator:0.1.0"');
    const bad = await helm(
      'template',
      'gx',
      operatorChart,
      '--set',
      'image.registry=https://registry.internal',
    );
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain("at '/image/registry': 'https://registry.internal' does not match pattern");
  });
});

describe('gravix-pipeline chart (offline)', () => {
  it('passes helm lint --strict', async () => {
    const result = await helm('lint', '--strict', pipelineChart);
    expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(result.exitCode).toBe(0);
  });

  it('refuses an unknown key in spec, naming it, instead of letting the apiserver drop it', async () => {
    const result = await helm(
      'template',
      'demo',
      pipelineChart,
      '--set',
      'spec.retentionDay=3,spec.ingestion.replica=3',
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("- at '/spec': additional properties 'retentionDay' not allowed");
    expect(result.stderr).toContain("- at '/spec/ingestion': additional properties 'replica' not allowed");
  });

  it('accepts every field of the full example pipeline', async () => {
    const full = parse(readFileSync(repoPath('cdk8s/testing/pipeline-full.yaml'), 'utf8')) as {
      spec: unknown;
    };
    const values = repoPath('test-artifacts', 'pipeline-full-values.json');
    mkdirSync(repoPath('test-artifacts'), { recursive: true });
    writeFileSync(values, JSON.stringify({ spec: full.spec }));
    const result = await helm('template', 'demo', pipelineChart, '-f', values);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('ships the values schema crds/write-crd.ts generates from the pipeline spec', () => {
    expect(JSON.parse(readFileSync(repoPath('charts/gravix-pipeline/values.schema.json'), 'utf8'))).toEqual(
      buildPipelineValuesSchema(),
    );
  });

  it('refuses a pipeline name over 34 characters, naming the value and the rule', async () => {
    const result = await helm('template', 'a-very-long-release-name-that-is-way-too-long', pipelineChart);
    expect(result.stderr).toContain(
      'name "a-very-long-release-name-that-is-way-too-long" is 45 characters; ' +
        'a GravixPipeline name must be at most 34 (set .Values.name)',
    );
  });
});

describe('gravix-operator chart on a real kube-apiserver', () => {
  let apiserver: KubeApiserver;
  let client: ObjectClient;

  beforeAll(async () => {
    apiserver = await startKubeApiserver();
    client = ObjectClient.forApiserver(apiserver);
    for (const crd of monitoringCrds) await installCrd(client.client, crd);
    for (const ns of ['gravix-system', 'team-a', 'team-b', 'obs']) await client.createNamespace(ns);
  });

  afterAll(async () => {
    await apiserver?.stop();
  });

  // No Job controller runs here: the crd-upgrade hook Job would never finish, so installs skip hooks (the hook's
  // RBAC is proven in gravix-operator-rbac.int.test.ts, the Job itself on the test cluster).
  const kube = (...args: string[]) =>
    helm(
      ...args,
      ...(['install', 'upgrade'].includes(args[0]!) ? ['--no-hooks'] : []),
      '--kubeconfig',
      apiserver.kubeconfigPath,
    );

  async function dryRunEach(objects: KubeObject[]): Promise<void> {
    for (const obj of objects) await client.create(obj, { dryRun: true });
  }

  it('renders templates the apiserver accepts in a server-side dry run, cluster-wide and per namespace', async () => {
    // Dry-run the CRD too (not installed yet: the install test below proves helm installs it).
    const crds = [
      'gravix.dev_gravixpipelines.yaml',
      'gravix.dev_gravixalertrules.yaml',
      'gravix.dev_gravixtenants.yaml',
    ].flatMap((file) => parseManifests(readFileSync(repoPath('charts/gravix-operator/crds', file), 'utf8')));
    await expect(dryRunEach(crds)).resolves.toBeUndefined();
    for (const extra of [[], ['--set', 'watchNamespace=team-a'], ['--set', 'watchAllNamespaces=true']]) {
      const { stdout, exitCode } = await helm(
        'template',
        'gx',
        operatorChart,
        '-n',
        'gravix-system',
        ...everyOption,
        ...extra,
      );
      expect(exitCode).toBe(0);
      const objects = parseManifests(stdout);
      expect(objects.length).toBeGreaterThanOrEqual(10);
      await expect(dryRunEach(objects)).resolves.toBeUndefined();
    }
  });

  it('passes helm install --dry-run=server', async () => {
    const result = await kube(
      'install',
      'gx',
      operatorChart,
      '-n',
      'gravix-system',
      '--dry-run=server',
      ...everyOption,
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('installs the operator Deployment, ServiceAccount, RBAC and the established CRD', async () => {
    const result = await kube('install', 'gravix-operator', operatorChart, '-n', 'gravix-system');
    expect(result.exitCode).toBe(0);
    const expected: KubeObject[] = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'gravix-operator', namespace: 'gravix-system' },
      },
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'gravix-operator', namespace: 'gravix-system' },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'gravix-operator-metrics', namespace: 'gravix-system' },
      },
      ...['Role', 'RoleBinding'].flatMap((kind) =>
        ['gravix-operator-manager', 'gravix-operator-leader-election'].map((name) => ({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind,
          metadata: { name, namespace: 'gravix-system' },
        })),
      ),
    ];
    for (const obj of expected) {
      expect({ what: `${obj.kind}/${obj.metadata.name}`, status: (await client.read(obj)).status }).toEqual({
        what: `${obj.kind}/${obj.metadata.name}`,
        status: 200,
      });
    }
    for (const name of [
      'gravixpipelines.gravix.dev',
      'gravixalertrules.gravix.dev',
      'gravixtenants.gravix.dev',
    ]) {
      const crd = await client.read({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name },
      });
      expect({ name, status: crd.status }).toEqual({ name, status: 200 });
    }
  });

  async function allowed(
    serviceAccount: string,
    attributes: { verb: string; group?: string; resource: string; subresource?: string; namespace?: string },
  ): Promise<boolean> {
    const [namespace, name] = serviceAccount.split('/') as [string, string];
    const review = (await client.request({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: `system:serviceaccount:${namespace}:${name}`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
          resourceAttributes: attributes,
        },
      },
    })) as { status: { allowed: boolean } };
    return review.status.allowed;
  }

  it('lets the default operator manage what a pipeline owns in its own namespace, and nothing beyond', async () => {
    const sa = 'gravix-system/gravix-operator';
    const own = (namespace: string) => ({ verb: 'patch', group: 'apps', resource: 'deployments', namespace });
    expect(await allowed(sa, own('gravix-system'))).toBe(true);
    expect(await allowed(sa, own('obs'))).toBe(false);
    // Nothing cluster-scoped: discovery alone tells whether the Prometheus operator is installed.
    expect(
      await allowed(sa, {
        verb: 'list',
        group: 'apiextensions.k8s.io',
        resource: 'customresourcedefinitions',
      }),
    ).toBe(false);
  });

  it('with watchAllNamespaces, lets the operator manage what a pipeline owns in any namespace, and nothing beyond', async () => {
    const result = await kube(
      'install',
      'wide',
      operatorChart,
      '-n',
      'team-b',
      '--set',
      'watchAllNamespaces=true',
    );
    expect(result.exitCode).toBe(0);
    const sa = 'team-b/wide-gravix-operator';
    const can = [
      { verb: 'watch', group: 'gravix.dev', resource: 'gravixpipelines', namespace: 'obs' },
      {
        verb: 'patch',
        group: 'gravix.dev',
        resource: 'gravixpipelines',
        subresource: 'status',
        namespace: 'obs',
      },
      {
        verb: 'update',
        group: 'gravix.dev',
        resource: 'gravixpipelines',
        subresource: 'finalizers',
        namespace: 'obs',
      },
      { verb: 'patch', group: 'apps', resource: 'statefulsets', namespace: 'obs' },
      { verb: 'delete', group: 'batch', resource: 'cronjobs', namespace: 'obs' },
      { verb: 'create', resource: 'secrets', namespace: 'obs' },
      { verb: 'create', group: 'monitoring.coreos.com', resource: 'prometheusrules', namespace: 'obs' },
      { verb: 'create', resource: 'events', namespace: 'obs' },
      { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'team-b' },
      // The alert worker's Role and RoleBinding, and the rules that Role grants (docs/adr/0074).
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'roles', namespace: 'obs' },
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'obs' },
      { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'obs' },
    ];
    const cannot = [
      { verb: 'create', group: 'gravix.dev', resource: 'gravixpipelines', namespace: 'obs' },
      { verb: 'delete', group: 'gravix.dev', resource: 'gravixpipelines', namespace: 'obs' },
      { verb: 'get', resource: 'pods', namespace: 'obs' },
      { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'obs' },
      { verb: 'list', resource: 'nodes' },
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
      // It may create Roles, but only with rules it holds itself: no escalate, no bind.
      { verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'roles', namespace: 'obs' },
      { verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
      { verb: 'list', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
      { verb: 'update', resource: 'secrets', namespace: 'obs' },
    ];
    for (const attributes of can)
      expect({ ...attributes, allowed: await allowed(sa, attributes) }).toMatchObject({ allowed: true });
    for (const attributes of cannot)
      expect({ ...attributes, allowed: await allowed(sa, attributes) }).toMatchObject({ allowed: false });
  });

  it('narrows the operator to a Role in watchNamespace, which may differ from its own', async () => {
    const result = await kube(
      'install',
      'scoped',
      operatorChart,
      '-n',
      'gravix-system',
      '--set',
      'watchNamespace=team-a',
    );
    expect(result.exitCode).toBe(0);
    const sa = 'gravix-system/scoped-gravix-operator';
    const patchDeployments = (namespace: string) => ({
      verb: 'patch',
      group: 'apps',
      resource: 'deployments',
      namespace,
    });
    expect(await allowed(sa, patchDeployments('team-a'))).toBe(true);
    expect(await allowed(sa, patchDeployments('team-b'))).toBe(false);
    const manager = await client.read({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'scoped-gravix-operator-manager' },
    });
    expect(manager.status).toBe(404);
  });

  it('installs a GravixPipeline from the gravix-pipeline chart, defaulted by the CRD', async () => {
    const result = await kube('install', 'demo', pipelineChart, '-n', 'obs');
    expect(result.exitCode).toBe(0);
    const { status, body } = await client.read({
      apiVersion: 'gravix.dev/v1alpha1',
      kind: 'GravixPipeline',
      metadata: { name: 'demo', namespace: 'obs' },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      spec: {
        rollup: { intervalSeconds: 30 },
        storage: { mode: 'minio', bucket: 'gravix' },
        retentionDays: 30,
      },
    });
  });

  it('lists what the operator chart installs', async () => {
    const { stdout } = await kube('get', 'manifest', 'gravix-operator', '-n', 'gravix-system');
    expect(names(parseManifests(stdout))).toEqual([
      'Deployment/gravix-operator',
      'NetworkPolicy/gravix-operator-egress',
      'Role/gravix-operator-leader-election',
      'Role/gravix-operator-manager',
      'RoleBinding/gravix-operator-leader-election',
      'RoleBinding/gravix-operator-manager',
      'Service/gravix-operator-metrics',
      'ServiceAccount/gravix-operator',
    ]);
  });

  it("limits the installed operator's egress to the API server endpoints the cluster's EndpointSlice names", async () => {
    const { stdout } = await kube('get', 'manifest', 'gravix-operator', '-n', 'gravix-system');
    const policy = parseManifests(stdout).find((o) => o.kind === 'NetworkPolicy') as KubeObject & {
      spec: { egress: unknown[] };
    };
    const { status, body } = await client.read({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default' },
    });
    const slice = body as { endpoints?: { addresses: string[] }[]; ports?: { port: number }[] };
    const expected = (status === 200 ? (slice.endpoints ?? []) : []).flatMap((e) =>
      e.addresses.flatMap((ip) =>
        (slice.ports ?? []).map((p) => ({
          to: [{ ipBlock: { cidr: `${ip}/${ip.includes(':') ? 128 : 32}` } }],
          ports: [{ protocol: 'TCP', port: p.port }],
        })),
      ),
    );
    // This test apiserver runs no controller that writes the slice; a cluster has one. Without it the chart
    // falls back to the API server's usual ports on any address, as `helm template` does.
    expect(policy.spec.egress).toEqual(
      expected.length > 0
        ? expected
        : [
            {
              ports: [
                { protocol: 'TCP', port: 443 },
                { protocol: 'TCP', port: 6443 },
              ],
            },
          ],
    );
  });
});
