import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { synthPipeline, type Manifest } from '../cdk8s/pipeline-chart.js';
import { parsePipeline } from '../crds/gravix-pipeline.js';
import { loadIngestConfig } from '../workers/ingest/config.js';
import { loadQueryConfig } from '../workers/query/config.js';
import { loadRollupConfig } from '../workers/rollup/config.js';
import { loadStorageSetupConfig } from '../workers/storage-setup/config.js';
import { repoPath } from '../testbin/harness/testbin-paths.js';

/**
 * What kind-e2e.sh would find first on a real cluster, checked without one: the containers the operator deploys
 * for e2e/sample-pipeline.yaml must start with the configuration the workers actually read (environment,
 * arguments, ports, writable paths). Each worker's own loadConfig is the judge.
 */

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}

interface Container {
  name: string;
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
}

const pipeline = parsePipeline(parse(readFileSync(repoPath('e2e', 'sample-pipeline.yaml'), 'utf8')));
const manifests = synthPipeline(pipeline, { generate: (bytes) => 'x'.repeat(bytes) });

function find(kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} is not among the synthesized children`);
  return found;
}

function podContainer(manifest: Manifest): Container {
  const spec = manifest['spec'] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  return spec['template'].spec.containers[0] as Container;
}

/** The environment the kubelet would give the container: envFrom ConfigMaps, then env (Secrets stubbed). */
function containerEnv(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    if (name) Object.assign(env, find('ConfigMap', name)['data'] as Record<string, string>);
  }
  for (const entry of container.env ?? []) env[entry.name] = envValue(entry);
  return env;
}

function envValue(entry: NonNullable<Container['env']>[number]): string {
  // metadata.name: the pod's name, as the StatefulSet names its first pod.
  if (entry.valueFrom?.fieldRef?.fieldPath === 'metadata.name') return 'e2e-ingest-0';
  return entry.value ?? `secret:${entry.valueFrom?.secretKeyRef?.key ?? '?'}`;
}

const httpPort = (container: Container) => container.ports?.find((p) => p.name === 'http')?.containerPort;
const mounted = (container: Container, path: string) =>
  (container.volumeMounts ?? []).some((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));

describe('workloads the operator deploys for the sample pipeline', () => {
  it('start ingestion with a valid configuration, on the port its Service targets, writing to a volume', () => {
    const container = podContainer(find('StatefulSet', 'e2e-ingest'));
    const config = loadIngestConfig(containerEnv(container));
    expect(config.store.GRAVIX_STORE).toBe('s3');
    expect(config.GRAVIX_INGEST_PORT).toBe(httpPort(container));
    expect({ dataDir: config.GRAVIX_DATA_DIR, mounted: mounted(container, config.GRAVIX_DATA_DIR) }).toEqual({
      dataDir: config.GRAVIX_DATA_DIR,
      mounted: true,
    });
  });

  it('start the query server with a valid configuration on Trino, on the port its Service targets', () => {
    const container = podContainer(find('Deployment', 'e2e-query'));
    const config = loadQueryConfig(containerEnv(container));
    expect(config.store.GRAVIX_STORE).toBe('s3');
    expect(config.GRAVIX_QUERY_ENGINE).toBe('trino');
    expect(config.GRAVIX_QUERY_PORT).toBe(httpPort(container));
  });

  it('run the storage Job with a valid configuration: the sample bucket on its MinIO, a user per component', () => {
    const job = manifests.find((m) => m.kind === 'Job' && m.metadata.name.startsWith('e2e-storage-setup-'))!;
    const container = podContainer(job);
    expect(container.args).toEqual(['storage-setup']);
    const { options } = loadStorageSetupConfig(containerEnv(container));
    expect(options).toMatchObject({
      bucket: 'gravix-e2e',
      endpoint: 'http://e2e-minio:9000',
      createBucket: true,
    });
    expect(Object.keys(options.users ?? {}).sort()).toEqual(['alert', 'ingest', 'query', 'rollup', 'trino']);
  });

  it('run the rollup loop over the open hour with a valid configuration, /metrics on the port its Service targets', () => {
    const container = podContainer(find('Deployment', 'e2e-rollup'));
    const [, ...argv] = container.args ?? [];
    const config = loadRollupConfig(containerEnv(container), argv);
    expect(config.mode.kind).toBe('loop');
    expect(config.includeOpen).toBe(true);
    expect(config.store.GRAVIX_STORE).toBe('s3');
    expect(config.http?.port).toBe(httpPort(container));
  });
});
