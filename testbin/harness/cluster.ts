import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadTestbinVersions, repoPath, testbinCacheDir } from './testbin-paths.js';

/**
 * The single-node test cluster of testbin/cluster/cluster.sh: one per test run, brought up by the cluster
 * project's global setup (testbin/jest-cluster-setup.js) and torn down after it. Everything here talks to it
 * through the node's own address (a dummy interface the cluster creates), never through another host.
 */
export interface TestCluster {
  kubeconfig: string;
  /** The ingress controller's NodePort on the node address, e.g. http://10.213.0.1:30080. */
  ingressUrl: string;
  kubectl: string;
  helm: string;
  /** The IngressClass the cluster's ingress controller serves. */
  ingressClass: string;
  /**
   * The node's own address (the dummy interface): pods reach the host there, so a test's listener bound to it is
   * reachable from pods without any other host's address (e.g. the alert webhook receiver).
   */
  nodeAddress: string;
}

export const clusterScript = repoPath('testbin', 'cluster', 'cluster.sh');

export function testCluster(): TestCluster {
  const v = loadTestbinVersions();
  const cache = testbinCacheDir();
  const ingressUrl = process.env['GRAVIX_INGRESS_URL'] ?? 'http://10.213.0.1:30080';
  return {
    kubeconfig: process.env['KUBECONFIG'] ?? '/var/lib/gravix-cluster/admin.kubeconfig',
    ingressUrl,
    nodeAddress: new URL(ingressUrl).hostname,
    kubectl: join(cache, `kube-node-${v.KUBERNETES_VERSION}`, 'kubectl'),
    helm: join(cache, `helm-${v.HELM_VERSION}`, 'helm'),
    ingressClass: 'testbin',
  };
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion with the cluster's kubeconfig; throws with its output on a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  const { kubeconfig } = testCluster();
  return new Promise((resolveRun, reject) => {
    const child = execFile(
      command,
      args,
      {
        env: { ...process.env, KUBECONFIG: kubeconfig, ...options.env },
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? 600_000,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
          return;
        }
        resolveRun({ stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export async function kubectl(args: string[], input?: string): Promise<string> {
  return (await run(testCluster().kubectl, args, input === undefined ? {} : { input })).stdout;
}

export function clusterProvisioned(): boolean {
  const c = testCluster();
  return existsSync(c.kubectl) && existsSync(clusterScript);
}

/** Runs testbin/cluster/cluster.sh with its output shown, resolving with its stdout lines. */
export function clusterCommand(command: 'up' | 'down' | 'status'): Promise<string[]> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('bash', [clusterScript, command], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolveRun(out.split('\n').filter(Boolean))
        : reject(new Error(`cluster.sh ${command}: ${code}`)),
    );
  });
}
