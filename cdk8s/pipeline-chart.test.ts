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
      'ConfigMap/shop-trino-config',
      'Deployment/shop-ingest',
      'Deployment/shop-query',
      'Deployment/shop-rollup',
      'HorizontalPodAutoscaler/shop-ingest',
      'Job/shop-storage-setup-<hash>',
      'NetworkPolicy/shop-allow-http',
      'NetworkPolicy/shop-allow-internal',
      'NetworkPolicy/shop-default-deny',
      'PodDisruptionBudget/shop-ingest',
      'Secret/shop-api-keys',
      'Secret/shop-minio-credentials',
      'Secret/shop-s3-ingest',
      'Secret/shop-s3-query',
      'Secret/shop-s3-rollup',
      'Secret/shop-s3-trino',
      'Service/shop-ingest',
      'Service/shop-minio',
      'Service/shop-query',
      'Service/shop-rollup',
      'Service/shop-trino',
      'StatefulSet/shop-minio',
      'StatefulSet/shop-trino-coordinator',
      'StatefulSet/shop-trino-worker',
    ]);
  });

  it('adds Cube, Ingress and monitoring objects only when enabled', () => {
    const all = ids(
      synth({
        cube: { enabled: true },
        ingress: { enabled: true, host: 'g.example.com' },
        monitoring: { enabled: true },
      }),
    );
    expect(all).toEqual(
      expect.arrayContaining(['Deployment/shop-cube', 'ConfigMap/shop-cube-model', 'Ingress/shop']),
    );
    expect(all).toEqual(
      expect.arrayContaining(['ServiceMonitor/shop-monitoring', 'PrometheusRule/shop-monitoring']),
    );
    expect(all).toContain('ConfigMap/shop-grafana-dashboard');
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
    expect(JSON.stringify(find(manifests, 'Deployment', 'shop-ingest'))).toContain('"name":"s3-creds"');
  });

  it('gives each component its own MinIO user and MinIO root credentials only to MinIO and the storage Job', () => {
    const manifests = synth();
    const rootUsers = manifests
      .filter((m) => m.kind !== 'Secret' && JSON.stringify(m).includes('"shop-minio-credentials"'))
      .map((m) => `${m.kind}/${m.metadata.name}`.replace(/-[0-9a-f]{8}$/, '-<hash>'));
    expect(rootUsers.sort()).toEqual(['Job/shop-storage-setup-<hash>', 'StatefulSet/shop-minio']);
    for (const [kind, name, component] of [
      ['Deployment', 'shop-ingest', 'ingest'],
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
    expect(find(synth(), 'Deployment', 'shop-ingest').spec.replicas).toBeUndefined();
    const fixedReplicas = synth({ ingestion: { replicas: 4, autoscaling: { enabled: false } } });
    expect(find(fixedReplicas, 'Deployment', 'shop-ingest').spec.replicas).toBe(4);
    expect(ids(fixedReplicas)).not.toContain('HorizontalPodAutoscaler/shop-ingest');
  });

  it('gives Trino and MinIO a writable root filesystem and the workers a read-only one', () => {
    const container = (kind: string, name: string) =>
      find(synth(), kind, name).spec.template.spec.containers[0];
    expect(container('StatefulSet', 'shop-trino-coordinator').securityContext.readOnlyRootFilesystem).toBe(
      false,
    );
    expect(container('StatefulSet', 'shop-minio').securityContext.readOnlyRootFilesystem).toBe(false);
    expect(container('Deployment', 'shop-ingest').securityContext.readOnlyRootFilesystem).toBe(true);
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
});
