// Global setup and teardown of the `cluster` jest project: one shared single-node cluster per test run
// (testbin/cluster/cluster.sh needs root and fixed ports), up before the first test file, down after the last.
// GRAVIX_CLUSTER_KEEP=1 leaves it running afterwards, to look around.
import { spawnSync } from 'node:child_process';
import { URL, fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./cluster/cluster.sh', import.meta.url));

function cluster(command) {
  const started = Date.now();
  const result = spawnSync('bash', [script, command], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`testbin/cluster/cluster.sh ${command} exited with ${result.status}`);
  process.stderr.write(`cluster ${command}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  for (const line of result.stdout.split('\n')) {
    const [key, value] = line.split('=', 2);
    if (key === 'KUBECONFIG' && value) process.env['KUBECONFIG'] = value;
    if (key === 'INGRESS_URL' && value) process.env['GRAVIX_INGRESS_URL'] = value;
  }
}

export async function setup() {
  cluster('up');
}

export async function teardown() {
  if (process.env['GRAVIX_CLUSTER_KEEP'] !== '1') cluster('down');
}
