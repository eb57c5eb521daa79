import { makePipeline } from '../crds/testing/pipeline-fixture.js';
import { CONFIG_HASH_ANNOTATION } from './config-hash.js';
import { synthPipeline, type Manifest } from './pipeline-chart.js';

const fixed = () => 'fixed';
const synth = (spec: Parameters<typeof makePipeline>[0] = {}, prometheusOperator = true) =>
  synthPipeline(makePipeline(spec), { generate: fixed, prometheusOperator });
// The storage Job's name ends in a hash of its spec; the rest of its name is what these lists check.
const ids = (manifests: Manifest[]) =>
  manifests
    .map((m) => `${m.kind}/${m.metadata.name}`.replace(/^(Job\/.*-storage-setup)-[0-9a-f]{8}$/, '$1-<hash>'))
    .sort();
const find = (manifests: Manifest[], kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not synthesized`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests walk deep into manifests
  return found as Manifest & { spec: Record<string, any> };
};

describe('GravixPipelineChart', () => {
  it('synthesizes the default children of a pipeline', () => {
    expect(ids(synth())).toEqual([
      'ConfigMap/shop-config',
      'ConfigMap/shop-tenants',
      'ConfigMap/shop-trino-config',
      'ConfigMap/shop-trino-functions',
      'Deployment/shop-query',
      'Deployment/shop-rollup',
      'HorizontalPodAutoscaler/shop-ingest',
      'Job/shop-storage-setup-<hash>',
      'NetworkPolicy/shop-allow-http',
      'NetworkPolicy/shop-allow-internal',
      'NetworkPolicy/shop-default-deny',
      'NetworkPolicy/shop-egress-ingest',
      'NetworkPolicy/shop-egress-ingest-rescue',
      'NetworkPolicy/shop-egress-minio',
      'NetworkPolicy/shop-egress-query',
      'NetworkPolicy/shop-egress-rollup',
      'NetworkPolicy/shop-egress-storage-setup',
      'NetworkPolicy/shop-egress-trino-coordinator',
      'NetworkPolicy/shop-egress-trino-worker',
      'PodDisruptionBudget/shop-ingest',
      'PodDisruptionBudget/shop-minio',
      'PodDisruptionBudget/shop-query',
      'PodDisruptionBudget/shop-trino-coordinator',
      'PodDisruptionBudget/shop-trino-worker',
      'Secret/shop-api-keys',
      'Secret/shop-minio-credentials',
      'Secret/shop-s3-alert',
      'Secret/shop-s3-ingest',
      'Secret/shop-s3-query',
      'Secret/shop-s3-rollup',
      'Secret/shop-s3-trino',
      'Service/shop-ingest',
      'Service/shop-ingest-headless',
      'Service/shop-minio',
      'Service/shop-minio-headless',
      'Service/shop-query',
      'Service/shop-rollup',
      'Service/shop-trino',
      'Service/shop-trino-coordinator-headless',
      'Service/shop-trino-worker-headless',
      'StatefulSet/shop-ingest',
      'StatefulSet/shop-minio',
      'StatefulSet/shop-trino-coordinator',
      'StatefulSet/shop-trino-worker',
    ]);
  });

  it('adds Ingress and monitoring objects only when enabled, and nothing of Cube even when spec.cube asks', () => {
    const all = ids(
      synth({
        cube: { enabled: true },
        images: { cube: { repository: 'cubejs/cube', tag: 'v1.3.0' } },
        ingress: { enabled: true, host: 'g.example.com' },
        monitoring: { enabled: true },
      }),
    );
    expect(all).toEqual(expect.arrayContaining(['Ingress/shop']));
    expect(all).toEqual(
      expect.arrayContaining(['ServiceMonitor/shop-monitoring', 'PrometheusRule/shop-monitoring']),
    );
    expect(all).toContain('ConfigMap/shop-grafana-dashboard');
    expect(all.filter((id) => id.includes('cube'))).toEqual([]);
  });

  it('leaves out ServiceMonitor and PrometheusRule when the Prometheus operator is absent', () => {
    const all = ids(synth({ monitoring: { enabled: true } }, false));
    expect(all).toContain('ConfigMap/shop-grafana-dashboard');
    expect(all).not.toContain('ServiceMonitor/shop-monitoring');
  });

  it('uses the external bucket Secret and runs no MinIO when storage is external', () => {
    const manifests = synth({ storage: { mode: 'external', external: { secretRef: { name: 's3-creds' } } } });
    expect(ids(manifests)).not.toContain('StatefulSet/shop-minio');
    expect(ids(manifests)).not.toContain('Secret/shop-minio-credentials');
    expect(JSON.stringify(find(manifests, 'StatefulSet', 'shop-ingest'))).toContain('"name":"s3-creds"');
  });

  it('gives each component its own MinIO user and MinIO root credentials only to MinIO and the storage Job', () => {
    const manifests = synth();
    const rootUsers = manifests
      .filter((m) => m.kind !== 'Secret' && JSON.stringify(m).includes('"shop-minio-credentials"'))
      .map((m) => `${m.kind}/${m.metadata.name}`.replace(/-[0-9a-f]{8}$/, '-<hash>'));
    expect(rootUsers.sort()).toEqual(['Job/shop-storage-setup-<hash>', 'StatefulSet/shop-minio']);
    for (const [kind, name, component] of [
      ['StatefulSet', 'shop-ingest', 'ingest'],
      ['Deployment', 'shop-rollup', 'rollup'],
      ['Deployment', 'shop-query', 'query'],
      ['StatefulSet', 'shop-trino-coordinator', 'trino'],
    ] as const) {
      expect(JSON.stringify(find(manifests, kind, name))).toContain(`"shop-s3-${component}"`);
    }
  });

  it('runs a storage Job that creates MinIO users, and on external S3 only checks the bucket unless asked', () => {
    const job = (spec: Parameters<typeof makePipeline>[0]) => {
      const found = synth(spec).find((m) => m.kind === 'Job')!;
      const container = (found as Manifest & { spec: Record<string, any> }).spec.template.spec.containers[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
      const env = Object.fromEntries(
        (container.env as { name: string; value?: string }[]).map((e) => [e.name, e.value ?? 'secret']),
      );
      return { args: container.args, env, name: found.metadata.name };
    };
    const minio = job({});
    expect(minio.args).toEqual(['storage-setup']);
    expect(minio.env).toMatchObject({
      GRAVIX_STORAGE_CREATE_BUCKET: 'true',
      GRAVIX_STORAGE_MINIO_USERS: 'true',
      GRAVIX_STORAGE_TRINO_ACCESS_KEY_ID: 'secret',
    });
    const external = { mode: 'external' as const, external: { secretRef: { name: 's3-creds' } } };
    expect(job({ storage: external }).env).toMatchObject({
      GRAVIX_STORAGE_CREATE_BUCKET: 'false',
      GRAVIX_STORAGE_MINIO_USERS: 'false',
    });
    const asked = { ...external, external: { ...external.external, createBucket: true } };
    expect(job({ storage: asked }).env).toMatchObject({ GRAVIX_STORAGE_CREATE_BUCKET: 'true' });
    expect(job({ version: '0.2.0' }).name).not.toBe(minio.name);
    expect(job({}).name).toBe(minio.name);
  });

  it('runs the rollup as one long-running replica that an upgrade replaces instead of doubling', () => {
    const rollup = find(synth({ rollup: { intervalSeconds: 45 } }), 'Deployment', 'shop-rollup');
    expect({ replicas: rollup.spec.replicas, strategy: rollup.spec.strategy }).toEqual({
      replicas: 1,
      strategy: { type: 'Recreate' },
    });
    const container = rollup.spec.template.spec.containers[0];
    expect(container.args).toEqual(['rollup']);
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'GRAVIX_ROLLUP_INCLUDE_OPEN', value: 'true' },
        { name: 'GRAVIX_ROLLUP_INTERVAL_SECONDS', value: '45' },
        { name: 'GRAVIX_ROLLUP_HTTP_PORT', value: '8080' },
      ]),
    );
  });

  it('leaves the ingest replica count to the HPA while autoscaling is on', () => {
    expect(find(synth(), 'StatefulSet', 'shop-ingest').spec.replicas).toBeUndefined();
    expect(find(synth(), 'HorizontalPodAutoscaler', 'shop-ingest').spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      name: 'shop-ingest',
    });
    const fixedReplicas = synth({ ingestion: { replicas: 4, autoscaling: { enabled: false } } });
    expect(find(fixedReplicas, 'StatefulSet', 'shop-ingest').spec.replicas).toBe(4);
    expect(ids(fixedReplicas)).not.toContain('HorizontalPodAutoscaler/shop-ingest');
  });

  it('gives Trino and MinIO a writable root filesystem and the workers a read-only one', () => {
    const container = (kind: string, name: string) =>
      find(synth(), kind, name).spec.template.spec.containers[0];
    expect(container('StatefulSet', 'shop-trino-coordinator').securityContext.readOnlyRootFilesystem).toBe(
      false,
    );
    expect(container('StatefulSet', 'shop-minio').securityContext.readOnlyRootFilesystem).toBe(false);
    expect(container('StatefulSet', 'shop-ingest').securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it('pins every image by tag', () => {
    const images = JSON.stringify(synth({ cube: { enabled: true } })).match(/"image":"[^"]+"/g) ?? [];
    expect(images.length).toBeGreaterThan(4);
    for (const image of images) expect(image).toMatch(/^"image":"[^"]+:(?!latest")[\w.-]+"$/);
  });

  it('changes the config hash only when the configuration the pods read changes', () => {
    const hash = (spec: Parameters<typeof makePipeline>[0]) =>
      find(synth(spec), 'Deployment', 'shop-query').spec.template.metadata.annotations[
        CONFIG_HASH_ANNOTATION
      ];
    expect(hash({})).toBe(hash({ query: { replicas: 3 } }));
    expect(hash({})).not.toBe(hash({ retentionDays: 7 }));
  });

  it('configures the workers with the keys their config schemas read', () => {
    const config = find(synth(), 'ConfigMap', 'shop-config') as unknown as { data: Record<string, string> };
    expect(config.data).toMatchObject({
      GRAVIX_STORE: 's3',
      GRAVIX_S3_ENDPOINT: 'http://shop-minio:9000',
      GRAVIX_API_KEYS_FILE: '/etc/gravix/api-keys/keys.json',
      GRAVIX_QUERY_ENGINE: 'trino',
      GRAVIX_METRICS_RETENTION_DAYS: '30',
      GRAVIX_RAW_RETENTION_DAYS: '7',
      GRAVIX_MAX_PAST_MS: String(7 * 86_400_000),
    });
    // Ingest takes no fact older than raw retention: one would be acknowledged and never counted.
    const short = find(synth({ retentionDays: 3 }), 'ConfigMap', 'shop-config') as unknown as {
      data: Record<string, string>;
    };
    expect(short.data).toMatchObject({
      GRAVIX_METRICS_RETENTION_DAYS: '3',
      GRAVIX_RAW_RETENTION_DAYS: '3',
      GRAVIX_MAX_PAST_MS: String(3 * 86_400_000),
    });
    const external = synth({ storage: { mode: 'external', external: { secretRef: { name: 's3' } } } });
    const externalConfig = find(external, 'ConfigMap', 'shop-config') as unknown as {
      data: Record<string, string>;
    };
    expect(externalConfig.data['GRAVIX_S3_ENDPOINT']).toBeUndefined();
  });

  it('generates an API keys file holding only hashes of the generated key and token', () => {
    const secret = find(synth(), 'Secret', 'shop-api-keys') as unknown as {
      stringData: Record<string, string>;
    };
    const file = JSON.parse(secret.stringData['keys.json']!) as {
      keys: { sha256: string; scopes: string[] }[];
    };
    expect(file.keys.map((k) => k.scopes)).toEqual([['ingest'], ['query']]);
    expect(secret.stringData['keys.json']).not.toContain(secret.stringData['ingest-key']);
    expect(file.keys[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('labels every child with its pipeline and the operator as manager', () => {
    for (const m of synth()) {
      expect(m.metadata.labels).toMatchObject({
        'gravix.dev/pipeline': 'shop',
        'app.kubernetes.io/managed-by': 'gravix-operator',
      });
    }
  });

  it('keeps each ingest replica’s write-ahead log on a claim of its own, under the pod’s name as ingester id', () => {
    const ingest = find(
      synth({ ingestion: { wal: { size: '8Gi', storageClassName: 'fast' } } }),
      'StatefulSet',
      'shop-ingest',
    );
    const pod = ingest.spec.template.spec;
    expect(pod.volumes.map((v: { name: string }) => v.name)).not.toContain('data');
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/gravix' });
    expect(ingest.spec.volumeClaimTemplates).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ name: 'data' }),
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'fast',
          resources: { requests: { storage: '8Gi' } },
        },
      }),
    ]);
    expect(pod.containers[0].env).toContainEqual({
      name: 'GRAVIX_INGESTER_ID',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
    expect(ingest.spec.serviceName).toBe('shop-ingest-headless');
    expect(ingest.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    // The grace period outlasts the drain deadline the ConfigMap gives the ingester.
    const config = find(synth(), 'ConfigMap', 'shop-config') as unknown as { data: Record<string, string> };
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      Number(config.data['GRAVIX_SHUTDOWN_DEADLINE_MS']),
    );
  });

  it('runs a create-only rescue Job on the claim of each scaled-away ingest replica, under that replica’s id', () => {
    const manifests = synthPipeline(makePipeline(), { generate: fixed, ingestRescue: [2] });
    const job = find(manifests, 'Job', 'shop-ingest-rescue-2');
    expect(job.metadata.annotations).toEqual({ 'gravix.dev/create-only': 'true' });
    const pod = job.spec.template.spec;
    expect(pod.containers[0].args).toEqual(['ingest', '--rescue']);
    expect(pod.containers[0].env).toContainEqual({ name: 'GRAVIX_INGESTER_ID', value: 'shop-ingest-2' });
    expect(pod.volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'data-shop-ingest-2' },
    });
    // Its own component label: the ingest Service, StatefulSet and PDB never select it.
    expect(job.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('ingest-rescue');
  });

  it('rolls every pod that reads a generated Secret when the Secrets’ values change, and only then', () => {
    type Workload = { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    const annotations = (secretsHash: string) =>
      synthPipeline(makePipeline(), { generate: fixed, secretsHash })
        .filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet')
        .map((m) => {
          const hash = (m as unknown as Workload).spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION];
          return `${m.metadata.name} ${hash}`;
        });
    const before = annotations('a');
    expect(annotations('a')).toEqual(before);
    const after = annotations('b');
    expect(after.filter((a, i) => a === before[i])).toEqual([]);
    expect(after).toHaveLength(6);
  });

  it('lets each component connect only to DNS and what it needs: MinIO, and Trino for query and Trino', () => {
    type Rule = {
      to?: { podSelector: { matchExpressions: { values: string[] }[] } }[];
      ports: { port: number }[];
    };
    const egress = (component: string, spec: Parameters<typeof makePipeline>[0] = {}) =>
      (find(synth(spec), 'NetworkPolicy', `shop-egress-${component}`).spec.egress as Rule[]).map((rule) => {
        const to = (rule.to ?? []).flatMap((t) => t.podSelector.matchExpressions[0]!.values).join('+');
        return `${to || 'anywhere'}:${rule.ports.map((p) => p.port).join('/')}`;
      });
    expect(egress('ingest')).toEqual(['anywhere:53/53', 'minio:9000']);
    expect(egress('query')).toEqual(['anywhere:53/53', 'minio:9000', 'trino-coordinator+trino-worker:8080']);
    expect(egress('minio')).toEqual(['anywhere:53/53']);
    const external = {
      mode: 'external' as const,
      external: { endpoint: 'https://s3.example.com:9443', secretRef: { name: 's3' } },
    };
    expect(egress('rollup', { storage: external })).toEqual(['anywhere:53/53', 'anywhere:9443']);
    expect(find(synth(), 'NetworkPolicy', 'shop-default-deny').spec.policyTypes).toEqual([
      'Ingress',
      'Egress',
    ]);
  });

  it('gives StatefulSets headless governing Services, PDBs to every serving component, and spreads replicas', () => {
    const manifests = synth({ query: { replicas: 2 }, trino: { workers: 1 } });
    for (const [set, service] of [
      ['shop-minio', 'shop-minio-headless'],
      ['shop-trino-coordinator', 'shop-trino-coordinator-headless'],
      ['shop-trino-worker', 'shop-trino-worker-headless'],
    ]) {
      expect(find(manifests, 'StatefulSet', set!).spec.serviceName).toBe(service);
      expect(find(manifests, 'Service', service!).spec.clusterIP).toBe('None');
      expect(find(manifests, 'PodDisruptionBudget', set!).spec.maxUnavailable).toBe(1);
    }
    expect(find(manifests, 'Deployment', 'shop-query').spec.template.spec.topologySpreadConstraints).toEqual([
      expect.objectContaining({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }),
    ]);
    expect(
      find(manifests, 'StatefulSet', 'shop-trino-worker').spec.template.spec.topologySpreadConstraints,
    ).toBeUndefined();
  });
});

describe('Trino discovery', () => {
  it('points every Trino node at a Service that reaches the coordinator before it is Ready (workers > 0)', () => {
    const manifests = synth({ trino: { workers: 1 } });
    const config = find(manifests, 'ConfigMap', 'shop-trino-config') as unknown as {
      data: Record<string, string>;
    };
    for (const file of ['coordinator.properties', 'worker.properties']) {
      const uri = /^discovery\.uri=http:\/\/([^:]+):8080$/m.exec(config.data[file] ?? '')?.[1];
      const service = find(manifests, 'Service', uri ?? '(none)');
      // The coordinator turns Ready only after a worker announced itself, so discovery must not wait for Ready.
      expect({ file, uri, notReady: service.spec.publishNotReadyAddresses }).toEqual({
        file,
        uri,
        notReady: true,
      });
      expect(service.spec.selector['app.kubernetes.io/component']).toBe('trino-coordinator');
    }
  });
});

describe('Trino readiness', () => {
  it('asks a worker for its node state, since a worker runs no SELECT 1 of its own (workers > 0)', () => {
    const manifests = synth({ trino: { workers: 1 } });
    const roleOf = (name: string) =>
      (
        find(manifests, 'StatefulSet', name).spec.template.spec.containers as {
          name: string;
          env?: { name: string; value?: string }[];
        }[]
      )
        .find((c) => c.name === 'ready-probe')
        ?.env?.find((e) => e.name === 'GRAVIX_TRINO_PROBE_ROLE')?.value;
    expect([roleOf('shop-trino-coordinator'), roleOf('shop-trino-worker')]).toEqual([
      'coordinator',
      'worker',
    ]);
  });
});
