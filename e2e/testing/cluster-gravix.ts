import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { COMPONENT_LABEL } from '../../cdk8s/naming.js';
import { S3ObjectStore } from '../../workers/adapters/object-store/s3-object-store.js';
import { clusterScript, kubectl, run, testCluster } from '../../testbin/harness/cluster.js';
import { loadTestbinVersions, repoPath } from '../../testbin/harness/testbin-paths.js';

/** The prefix of every image the test cluster built (testbin/cluster/images.sh); nothing can be pulled. */
export const REGISTRY = 'testbin.local';

/** Builds the workers and operator images from the project's Dockerfiles and installs the operator chart. */
export async function installOperator(tag: string): Promise<void> {
  await run('bash', [clusterScript, 'build-gravix-images', tag], { timeoutMs: 1_500_000 });
  // Helm installs the CRD only when absent, never upgrades it: apply it first, as docs/install-on-kubernetes.md says.
  await kubectl([
    'apply',
    '--server-side',
    '--force-conflicts',
    '-f',
    repoPath('charts', 'gravix-operator', 'crds'),
  ]);
  await run(testCluster().helm, [
    'upgrade',
    '--install',
    'gravix-operator',
    repoPath('charts', 'gravix-operator'),
    '--namespace',
    'gravix-system',
    '--create-namespace',
    '--set',
    `image.registry=${REGISTRY}`,
    '--set',
    `image.tag=${tag}`,
    '--set',
    'image.pullPolicy=Never',
    // Pipelines live in their own namespaces; by default the operator watches only its own.
    '--set',
    'watchAllNamespaces=true',
    '--wait',
    '--timeout',
    '5m',
  ]);
  // The image was re-imported under the same tag: an operator already running keeps the old one until restarted.
  await kubectl(['-n', 'gravix-system', 'rollout', 'restart', 'deployment/gravix-operator']);
  await kubectl(['-n', 'gravix-system', 'rollout', 'status', 'deployment/gravix-operator', '--timeout=5m']);
}

/**
 * Waits for a pipeline's Available condition. On a timeout the error carries the pipeline's conditions, the pods
 * that are not ready and the node's allocated requests: CI prints only the error, and "kubectl wait failed" alone
 * cannot tell a slow start from pods that never fit on the single node.
 */
export async function waitForPipelineAvailable(
  namespace: string,
  pipeline: string,
  timeoutMs = 900_000,
): Promise<void> {
  const seconds = Math.ceil(timeoutMs / 1000);
  try {
    await run(
      testCluster().kubectl,
      [
        '-n',
        namespace,
        'wait',
        `gravixpipeline/${pipeline}`,
        '--for=condition=Available',
        `--timeout=${seconds}s`,
      ],
      // The child's own timeout must outlast kubectl's, or the wait is killed early with a bare "failed".
      { timeoutMs: timeoutMs + 60_000 },
    );
  } catch (error) {
    const ask = (args: string[]) => kubectl(args).catch((e: Error) => e.message.slice(0, 500));
    const conditions = await ask([
      '-n',
      namespace,
      'get',
      `gravixpipeline/${pipeline}`,
      '-o',
      'jsonpath={.status.conditions}',
    ]);
    const pods = await ask(['get', 'pods', '-A', '-o', 'wide']);
    const notReady = pods
      .split('\n')
      .filter((line, i) => i === 0 || !/\s(\d+)\/\1\s+Running\s|\sCompleted\s/.test(line))
      .join('\n');
    const node = await ask(['describe', 'nodes']);
    const allocated = node.slice(node.indexOf('Allocated resources:'), node.indexOf('Events:')).trim();
    const logs = await stuckPodLogs(namespace, notReady, ask);
    const network = await clusterNetworkState(namespace, ask);
    // The logs before the node's allocations: a long message is cut at its end, and the logs say why.
    throw new Error(
      `${pipeline} in ${namespace} not Available after ${seconds} s: ${(error as Error).message.split('\n')[0]}\n` +
        `conditions: ${conditions}\npods not ready:\n${notReady}\n${logs}\n${network}\n${allocated}`,
    );
  }
}

/**
 * The last log lines of the storage Job's pods and of the namespace's not-ready pods (init containers included):
 * what a stuck pod or a failing Job said, which the pod list alone does not.
 */
async function stuckPodLogs(
  namespace: string,
  notReady: string,
  ask: (args: string[]) => Promise<string>,
): Promise<string> {
  // The storage Job's newest pods whatever their state: one that waits for MinIO runs, and counts as ready.
  const jobPods = (
    await ask(['-n', namespace, 'get', 'pods', '-l', `${COMPONENT_LABEL}=storage-setup`, '-o', 'name'])
  )
    .split('\n')
    .filter((line) => line.startsWith('pod/'))
    .map((line) => line.slice('pod/'.length))
    .slice(-2);
  const notReadyPods = notReady
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[0] === namespace && cols[1])
    .map((cols) => cols[1]!)
    .slice(-4);
  const pods = [...new Set([...jobPods, ...notReadyPods])];
  const sections: string[] = [];
  for (const pod of pods) {
    // --ignore-errors: a container still waiting (the main one behind a running init container) is skipped.
    const text = await ask([
      '-n',
      namespace,
      'logs',
      pod,
      '--all-containers',
      '--prefix',
      '--tail=40',
      '--ignore-errors',
    ]);
    // The JSON log lines and what names a failure; not the runtime's deprecation warnings around them.
    const telling = text
      .split('\n')
      .filter((line) => /"level":|error|fail|refused|denied|timeout/i.test(line))
      .slice(-4);
    sections.push(`logs of ${pod}:\n${telling.join('\n').slice(-2000) || '(nothing logged)'}`);
  }
  return sections.join('\n');
}

/**
 * What the cluster's own network layer holds that can refuse a pod's connection besides the pipeline's policies:
 * the addresses `cluster.sh refuse` refuses (a test that left one behind refuses a later pipeline whose pod took
 * that address), the namespace's Service endpoints (the guard refuses a Service address kube-proxy has not
 * translated), and the error lines of the two daemons that program the node's rules: kube-router (an aborted policy
 * sync) and kube-proxy.
 */
async function clusterNetworkState(
  namespace: string,
  ask: (args: string[]) => Promise<string>,
): Promise<string> {
  // The table and set testbin/cluster/cluster.sh makes (guard_table, setup_guard).
  const refused = await run('nft', ['list', 'set', 'ip', 'gravix-cluster', 'refused'])
    .then((r) => r.stdout.replace(/\s+/g, ' ').trim())
    .catch((e: Error) => e.message.slice(0, 300));
  const endpoints = await ask(['-n', namespace, 'get', 'endpointslices']);
  const logs = process.env['GRAVIX_CLUSTER_LOGS'] ?? '/var/lib/gravix-cluster/logs';
  const errorsOf = (daemon: string) =>
    readFile(join(logs, `${daemon}.log`), 'utf8')
      .then((text) => {
        const errors = text.split('\n').filter((line) => line && !line.startsWith('I'));
        return `${daemon} errors: ${errors.length}\n${errors.slice(-5).join('\n')}`;
      })
      .catch((e: Error) => `${daemon}: ${e.message}`);
  const daemons = await Promise.all(['kube-router-netpol', 'kube-proxy'].map(errorsOf));
  return `refused by the cluster: ${refused}\nendpoint slices:\n${endpoints}\n${daemons.join('\n')}`;
}

/**
 * Deletes a test's namespace and waits until it is gone, so the next cluster test file starts on a node that no
 * longer runs (nor reserves requests for) this one's pipeline.
 */
export async function deleteNamespaceAndWait(namespace: string): Promise<void> {
  await run(
    testCluster().kubectl,
    ['delete', 'namespace', namespace, '--ignore-not-found', '--wait=true', '--timeout=5m'],
    {
      timeoutMs: 360_000,
    },
  ).catch((e: Error) =>
    process.stderr.write(`namespace ${namespace} not deleted: ${e.message.slice(0, 500)}\n`),
  );
}

/** spec.images for a pipeline on the test cluster: the Gravix images just built, MinIO and Trino from testbin. */
export function clusterImages() {
  const v = loadTestbinVersions();
  return {
    registry: REGISTRY,
    trino: { repository: 'trino', tag: v.TRINO_VERSION },
    minio: { repository: 'minio', tag: v.MINIO_VERSION },
  };
}

/**
 * The smallest pipeline that runs every component on the single-node cluster (one Trino coordinator, one query
 * replica, a 1 Gi write-ahead log claim per ingest replica), for the tests that need pods of their own.
 */
export function smallClusterPipeline(options: {
  apiVersion: 'gravix.dev/v1alpha1' | 'gravix.dev/v1beta1';
  name: string;
  namespace: string;
  bucket: string;
  ingestReplicas: number;
}) {
  return {
    apiVersion: options.apiVersion,
    kind: 'GravixPipeline',
    metadata: { name: options.name, namespace: options.namespace },
    spec: {
      version: 'e2e',
      images: clusterImages(),
      retentionDays: 1,
      ingestion: {
        replicas: options.ingestReplicas,
        minAvailable: 0,
        autoscaling: { enabled: false },
        resources: { cpu: '100m', memory: '256Mi' },
        wal: { size: '1Gi' },
      },
      rollup: { intervalSeconds: 10, resources: { cpu: '100m', memory: '512Mi' } },
      query: { replicas: 1, resources: { cpu: '100m', memory: '256Mi' } },
      trino: { workers: 0, coordinatorResources: { cpu: '250m', memory: '1536Mi' } },
      storage: { mode: 'minio', bucket: options.bucket, minio: { size: '2Gi' } },
    },
  };
}

export async function secretValue(namespace: string, name: string, key: string): Promise<string> {
  const b64 = await kubectl(['-n', namespace, 'get', 'secret', name, '-o', `jsonpath={.data.${key}}`]);
  return Buffer.from(b64, 'base64').toString('utf8').trim();
}

export async function podIp(namespace: string, pod: string): Promise<string> {
  return (await kubectl(['-n', namespace, 'get', 'pod', pod, '-o', 'jsonpath={.status.podIP}'])).trim();
}

/**
 * The pipeline's MinIO bucket, read from the host with the root credentials at the MinIO pod's address (the host
 * reaches pod addresses over the cluster's bridge).
 */
export async function pipelineStore(
  namespace: string,
  pipeline: string,
  bucket: string,
): Promise<S3ObjectStore> {
  return new S3ObjectStore({
    bucket,
    endpoint: `http://${await podIp(namespace, `${pipeline}-minio-0`)}:9000`,
    region: 'us-east-1',
    accessKeyId: await secretValue(namespace, `${pipeline}-minio-credentials`, 'accessKeyId'),
    secretAccessKey: await secretValue(namespace, `${pipeline}-minio-credentials`, 'secretAccessKey'),
  });
}

/** Every event_id in the raw layer (sealed WAL segments the ingesters uploaded). */
export async function storedEventIds(store: S3ObjectStore): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const info of await store.list('raw/')) {
    const object = await store.get(info.key);
    if (!object) continue;
    for (const line of gunzipSync(object.body).toString('utf8').split('\n'))
      if (line) ids.add((JSON.parse(line) as { event_id: string }).event_id);
  }
  return ids;
}

/**
 * A MinIO outage as the pods see it: the cluster refuses every pod's connection to MinIO's pod address and port
 * (`cluster.sh refuse`, a rule in the cluster's own nftables table that the NetworkPolicy enforcer's accepts cannot
 * skip: docs/adr/0129), while the kubelet's probes (from the host itself) still pass.
 */
export function minioOutage(minioIp: string) {
  const refuse = (action: 'add' | 'delete') =>
    run('bash', [clusterScript, 'refuse', action, minioIp, '9000']);
  return {
    start: () => refuse('add'),
    end: () => refuse('delete').catch(() => undefined),
  };
}
