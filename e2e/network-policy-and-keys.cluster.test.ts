import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, run, testCluster } from '../testbin/harness/cluster.js';
import { loadTestbinVersions, repoPath } from '../testbin/harness/testbin-paths.js';
import { hashApiKey } from '../workers/domain/api-keys.js';
import { postFactsViaIngress } from './testing/cluster-alerts.js';
import { FactSender, waitFor } from './testing/acked-facts.js';
import {
  deleteNamespaceAndWait,
  installOperator,
  podIp,
  secretValue,
  smallClusterPipeline,
  waitForPipelineAvailable,
} from './testing/cluster-gravix.js';
import { loadPod, restarts } from './testing/cluster-rollout.js';

/**
 * Issue #16 and #22 on the real single-node cluster, one pipeline for both:
 * - its NetworkPolicies hold with the enforcer the cluster runs from `cluster.sh up` (kube-router's policy
 *   controller, docs/adr/0120 and 0129): a pod outside the pipeline is refused by MinIO and Trino, the pipeline's own
 *   pods connect, and ingest through its Service and its Ingress still works;
 * - the operator's own egress policy (charts/gravix-operator, networkpolicy.yaml): it reaches the kube-apiserver
 *   and is refused everywhere else, even where the target admits anyone (ingest's HTTP port);
 * - the cluster's guard (nothing bridged leaves the node) holds for a pod whose policy admits any egress, which the
 *   enforcer ACCEPTs in iptables' FORWARD;
 * - a key added to `<pipeline>-api-keys` is accepted by the running ingest and query pods once the kubelet swaps
 *   the mounted file, a removed key gets 401, and no pod restarts (the keys Secret is out of the rolling hash).
 */
const namespace = 'gravix-netpol';
const pipeline = 'fenced';
const host = 'fenced.localtest.me';
const artifacts = repoPath('test-artifacts', 'network-policy-and-keys');
const probeImage = `testbin.local/busybox:${loadTestbinVersions().DEBIAN_SUITE}`;

/** A Service address no Service holds: kube-proxy never translates it, so only the cluster's guard answers. */
const unservedAddress = '10.96.255.254';

/**
 * `nc` from the probe pod: CONNECTED, or what refused it (busybox nc has no -z: `-e true` closes at once). Addresses,
 * not names: the static busybox cannot resolve names (glibc's resolver needs NSS libraries the image lacks).
 */
async function connectFrom(pod: string, address: string, port: number): Promise<string> {
  const script = `nc -w 5 ${address} ${port} -e true 2>&1 && echo CONNECTED || true`;
  return (await kubectl(['-n', namespace, 'exec', pod, '--', 'sh', '-c', script])).trim();
}

const serviceIp = async (service: string) =>
  (await kubectl(['-n', namespace, 'get', 'service', service, '-o', 'jsonpath={.spec.clusterIP}'])).trim();

/**
 * A TCP connect from inside a pipeline (or the operator's) pod, with its own Node (the images' ENTRYPOINT path; they
 * have no nc).
 */
async function connectFromPipelinePod(
  target: string,
  port: number,
  pod: string,
  podNamespace = namespace,
): Promise<string> {
  const script =
    `const s = require('net').connect({ host: '${target}', port: ${port}, timeout: 5000 });` +
    `s.on('connect', () => { console.log('CONNECTED'); s.destroy(); });` +
    `s.on('error', (e) => console.log('FAILED ' + e.code));` +
    `s.on('timeout', () => { console.log('TIMEOUT'); s.destroy(); });`;
  return (await kubectl(['-n', podNamespace, 'exec', pod, '--', '/nodejs/bin/node', '-e', script])).trim();
}

/** A busybox pod in the test's namespace that sleeps; no policy of the pipeline selects it. */
function probePod(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      automountServiceAccountToken: false,
      containers: [
        { name: 'probe', image: probeImage, imagePullPolicy: 'Never', command: ['sleep', '3600'] },
      ],
    },
  };
}

const podFacts = (pod: string) => loadPod(namespace, pod);
const configHash = async (kind: string) =>
  kubectl([
    '-n',
    namespace,
    'get',
    kind,
    `${pipeline}-${kind === 'statefulset' ? 'ingest' : 'query'}`,
    '-o',
    `jsonpath={.spec.template.metadata.annotations.gravix\\.dev/config-hash}`,
  ]);

describe('a pipeline under an enforced NetworkPolicy, with its keys file edited, on the single-node cluster', () => {
  let ingestKey = '';
  let queryToken = '';
  let queryPod = '';

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    // The enforcer runs from `cluster.sh up`: the operator, the storage Job, ingest, rollup, query and Trino all
    // come up fenced.
    await installOperator('e2e');
    await kubectl(['create', 'namespace', namespace]).catch(() => undefined);
    const manifest = smallClusterPipeline({
      apiVersion: 'gravix.dev/v1beta1',
      name: pipeline,
      namespace,
      bucket: 'gravix-netpol',
      ingestReplicas: 1,
    });
    const spec = {
      ...manifest.spec,
      ingress: { enabled: true, host, className: testCluster().ingressClass },
    };
    await kubectl(['apply', '-f', '-'], JSON.stringify({ ...manifest, spec }));
    // A pod outside the pipeline, in its namespace: no policy of the pipeline selects it, none admits it.
    // And a pod whose own policy admits any egress: the enforcer marks and ACCEPTs its packets in FORWARD.
    await kubectl(['apply', '-f', '-'], JSON.stringify(probePod('outsider')));
    await kubectl(['apply', '-f', '-'], JSON.stringify(probePod('wanderer')));
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'wanderer-egress-anywhere', namespace },
        spec: { podSelector: { matchLabels: { app: 'wanderer' } }, policyTypes: ['Egress'], egress: [{}] },
      }),
    );
    await waitForPipelineAvailable(namespace, pipeline);
    for (const pod of ['outsider', 'wanderer'])
      await kubectl(['-n', namespace, 'wait', `pod/${pod}`, '--for=condition=Ready', '--timeout=5m']);
    ingestKey = await secretValue(namespace, `${pipeline}-api-keys`, 'ingest-key');
    queryToken = await secretValue(namespace, `${pipeline}-api-keys`, 'query-token');
    queryPod = (
      await kubectl(['-n', namespace, 'get', 'pods', '-l', 'app.kubernetes.io/component=query', '-o', 'name'])
    )
      .trim()
      .split('\n')[0]!
      .replace('pod/', '');
  }, 2_400_000);

  afterAll(async () => {
    const dump = await kubectl(['-n', namespace, 'get', 'all,networkpolicies,events', '-o', 'wide']).catch(
      (e: Error) => e.message,
    );
    writeFileSync(join(artifacts, 'cluster.txt'), dump);
    const rules = await run('iptables', ['-S']).catch((e: Error) => ({ stdout: e.message }));
    writeFileSync(join(artifacts, 'iptables.txt'), rules.stdout);
    const nft = await run('nft', ['list', 'ruleset']).catch((e: Error) => ({ stdout: e.message }));
    writeFileSync(join(artifacts, 'nftables.txt'), nft.stdout);
    await deleteNamespaceAndWait(namespace);
  });

  it('refuses a pod outside the pipeline at MinIO and Trino, by Service and by pod address, while it reaches ingest', async () => {
    // The control first: the probe connects where the policies admit anyone (ingest's HTTP port, via its Service).
    expect(await connectFrom('outsider', await serviceIp(`${pipeline}-ingest`), 8080)).toBe('CONNECTED');
    const targets = [
      [await serviceIp(`${pipeline}-minio`), 9000],
      [await podIp(namespace, `${pipeline}-minio-0`), 9000],
      [await serviceIp(`${pipeline}-trino`), 8080],
      [await podIp(namespace, `${pipeline}-trino-coordinator-0`), 8080],
    ] as const;
    for (const [address, port] of targets) {
      // kube-router REJECTs: the connection is refused at once rather than timing out.
      expect(`${address}:${port} ${await connectFrom('outsider', address, port)}`).toMatch(
        /: Connection refused$/,
      );
    }
  }, 180_000);

  it('lets the pipeline’s own pods connect: ingest to MinIO, query to Trino', async () => {
    expect(await connectFromPipelinePod(`${pipeline}-minio`, 9000, `${pipeline}-ingest-0`)).toBe('CONNECTED');
    expect(await connectFromPipelinePod(`${pipeline}-trino`, 8080, queryPod)).toBe('CONNECTED');
    // What the policies do not name stays shut even for them: ingest may not reach Trino.
    expect(await connectFromPipelinePod(`${pipeline}-trino`, 8080, `${pipeline}-ingest-0`)).toMatch(
      /^FAILED ECONNREFUSED$/,
    );
  }, 120_000);

  it('lets the operator reach the kube-apiserver and refuses it everywhere else, even where anyone is admitted', async () => {
    const system = 'gravix-system';
    const operatorPod = (
      await kubectl([
        '-n',
        system,
        'get',
        'pods',
        '-l',
        'app.kubernetes.io/component=operator',
        '--field-selector=status.phase=Running',
        '-o',
        'jsonpath={.items[0].metadata.name}',
      ])
    ).trim();
    // The chart names the API server's endpoint as the default/kubernetes EndpointSlice held it at install time:
    // policies see the traffic after kube-proxy's DNAT of the kubernetes Service.
    const policy = JSON.parse(
      await kubectl(['-n', system, 'get', 'networkpolicy', 'gravix-operator-egress', '-o', 'json']),
    ) as { spec: { policyTypes: string[]; egress: unknown[] } };
    const apiServer = testCluster().nodeAddress;
    expect(policy.spec.policyTypes).toEqual(['Egress']);
    expect(policy.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: `${apiServer}/32` } }], ports: [{ protocol: 'TCP', port: 6443 }] },
    ]);
    const fromOperator = (target: string, port: number) =>
      connectFromPipelinePod(target, port, operatorPod, system);
    const kubernetesService = (
      await kubectl(['-n', 'default', 'get', 'service', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])
    ).trim();
    expect(await fromOperator(kubernetesService, 443)).toBe('CONNECTED');
    expect(await fromOperator(apiServer, 6443)).toBe('CONNECTED');
    // Ingest's HTTP port admits any pod (the outsider connects above): refused here, the refusal is the operator's
    // own egress policy. MinIO and Trino, by pod address, refuse it as well.
    const refusedTargets = [
      [await serviceIp(`${pipeline}-ingest`), 8080],
      [await podIp(namespace, `${pipeline}-ingest-0`), 8080],
      [await podIp(namespace, `${pipeline}-minio-0`), 9000],
      [await podIp(namespace, `${pipeline}-trino-coordinator-0`), 8080],
    ] as const;
    for (const [address, port] of refusedTargets)
      expect(`${address}:${port} ${await fromOperator(address, port)}`).toBe(
        `${address}:${port} FAILED ECONNREFUSED`,
      );
  }, 180_000);

  it('refuses at the cluster guard what the enforcer accepts but would leave the node', async () => {
    // The wanderer's policy admits any egress, so kube-router marks its packets and ACCEPTs them in iptables'
    // FORWARD. An address of the Service range that no Service holds is never translated and would be routed off
    // the node; the guard, in nftables before iptables' filter table, resets the connection (docs/adr/0129). The
    // control: the wanderer still reaches ingest.
    expect(await connectFrom('wanderer', await serviceIp(`${pipeline}-ingest`), 8080)).toBe('CONNECTED');
    expect(await connectFrom('wanderer', unservedAddress, 80)).toMatch(/: Connection refused$/);
  }, 120_000);

  it('takes facts through the Ingress into the fenced ingest pods', async () => {
    const sender = new FactSender('fenced-checkout');
    const body = sender
      .batch('ingress', 5)
      .map((f) => JSON.stringify(f))
      .join('\n');
    const accepted = await waitFor(
      'ingest through the Ingress to accept a batch',
      async () => {
        const r = await postFactsViaIngress(host, ingestKey, body).catch(() => undefined);
        return r?.status === 200 ? r : undefined;
      },
      300_000,
      2_000,
    );
    expect(JSON.parse(accepted.body)).toMatchObject({ accepted: 5, rejected: [] });
  }, 360_000);

  it('accepts a key added to the API keys Secret in the running pods and refuses a removed one, restarting none', async () => {
    const ingestPod = `${pipeline}-ingest-0`;
    const before = { ingest: await podFacts(ingestPod), query: await podFacts(queryPod) };
    const hashes = { ingest: await configHash('statefulset'), query: await configHash('deployment') };
    const ingestAddress = `${await podIp(namespace, ingestPod)}:8080`;
    const queryAddress = `${await podIp(namespace, queryPod)}:8080`;
    // jsonpath: the dot of the key's name escaped.
    const file = JSON.parse(await secretValue(namespace, `${pipeline}-api-keys`, 'keys\\.json')) as {
      keys: { name: string; tenant: string; sha256: string; scopes: string[] }[];
    };
    const added = { ingest: `gx_added_${Date.now()}`, query: `gxq_added_${Date.now()}` };
    const writeKeys = (keys: typeof file.keys) =>
      kubectl([
        '-n',
        namespace,
        'patch',
        'secret',
        `${pipeline}-api-keys`,
        '--type',
        'merge',
        '-p',
        JSON.stringify({ stringData: { 'keys.json': JSON.stringify({ keys }) } }),
      ]);
    const sender = new FactSender('rotated-checkout');
    const ingestStatus = async (key: string) => {
      const res = await fetch(`http://${ingestAddress}/api/v1/facts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(sender.batch('rotation', 1)),
        signal: AbortSignal.timeout(10_000),
      });
      return res.status;
    };
    const queryStatus = async (token: string) => {
      const res = await fetch(`http://${queryAddress}/api/v1/freshness`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(30_000),
      });
      return res.status;
    };
    expect(await ingestStatus(added.ingest)).toBe(401);

    const start = Date.now();
    await writeKeys([
      ...file.keys,
      { name: 'added-ingest', tenant: 'default', sha256: hashApiKey(added.ingest), scopes: ['ingest'] },
      { name: 'added-query', tenant: 'default', sha256: hashApiKey(added.query), scopes: ['query'] },
    ]);
    // The kubelet swaps the mounted file on its next sync of the pod (syncFrequency 10 s on this cluster); the
    // workers re-read it within GRAVIX_KEYS_RELOAD_MS (2 s). The bound is loose for a loaded CI machine; the
    // measured time goes to the artifacts.
    await waitFor(
      'the added ingest key accepted',
      async () => (await ingestStatus(added.ingest)) === 200,
      90_000,
      500,
    );
    const ingestSeconds = (Date.now() - start) / 1000;
    await waitFor(
      'the added query key accepted',
      async () => (await queryStatus(added.query)) === 200,
      90_000,
      500,
    );
    const querySeconds = (Date.now() - start) / 1000;

    const removedAt = Date.now();
    await writeKeys([
      ...file.keys.filter((k) => k.name !== 'ingest'),
      { name: 'added-ingest', tenant: 'default', sha256: hashApiKey(added.ingest), scopes: ['ingest'] },
    ]);
    await waitFor(
      'the removed ingest key refused',
      async () => (await ingestStatus(ingestKey)) === 401,
      90_000,
      500,
    );
    const removedSeconds = (Date.now() - removedAt) / 1000;
    expect(await ingestStatus(added.ingest)).toBe(200);
    expect(await queryStatus(queryToken)).toBe(200);
    writeFileSync(
      join(artifacts, 'key-rotation.json'),
      JSON.stringify({ ingestSeconds, querySeconds, removedSeconds }, null, 2),
    );
    process.stderr.write(
      `keys file: added key accepted by ingest after ${ingestSeconds} s, by query after ${querySeconds} s; ` +
        `removed key refused after ${removedSeconds} s\n`,
    );

    const after = { ingest: await podFacts(ingestPod), query: await podFacts(queryPod) };
    expect(after.ingest.metadata.uid).toBe(before.ingest.metadata.uid);
    expect(after.query.metadata.uid).toBe(before.query.metadata.uid);
    expect(restarts(after.ingest)).toBe(restarts(before.ingest));
    expect(restarts(after.query)).toBe(restarts(before.query));
    expect(await configHash('statefulset')).toBe(hashes.ingest);
    expect(await configHash('deployment')).toBe(hashes.query);
  }, 600_000);
});
