import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startEtcd, type EtcdServer } from './etcd-server.js';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { testbinPaths } from './testbin-paths.js';
import { waitUntil } from './wait-until.js';

export interface KubeApiserver {
  url: string;
  /** etcd's client URL (plain HTTP on loopback): tests read what is stored, e.g. in which version. */
  etcdUrl: string;
  /** Bearer token of a system:masters user. */
  token: string;
  kubeconfigPath: string;
  kubeConfig(): KubeConfig;
  /** Stops and starts kube-apiserver only (etcd keeps the data), as in an apiserver outage. */
  restart(downtimeMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function writeServiceAccountKeys(dir: string): { pub: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pub = join(dir, 'sa.pub');
  const key = join(dir, 'sa.key');
  writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(key, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { pub, key };
}

function apiserverArgs(dir: string, port: number, etcd: EtcdServer, tokenFile: string): string[] {
  const sa = writeServiceAccountKeys(dir);
  return [
    `--etcd-servers=${etcd.clientUrl}`,
    `--cert-dir=${join(dir, 'certs')}`,
    `--secure-port=${port}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    // 65k virtual Service IPs (never routed): bench/operator's 100 pipelines need ~600; a /24 ran out at ~40.
    '--service-cluster-ip-range=10.0.0.0/16',
    '--allow-privileged=true',
    '--authorization-mode=RBAC',
    `--token-auth-file=${tokenFile}`,
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${sa.pub}`,
    `--service-account-signing-key-file=${sa.key}`,
    // No controller-manager runs here, so nothing would create default service accounts.
    '--disable-admission-plugins=ServiceAccount',
  ];
}

function writeKubeconfig(dir: string, url: string, token: string, caPath: string): string {
  const ca = readFileSync(caPath).toString('base64');
  const yaml = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: gravix-test\n  cluster:\n    server: ${url}\n    certificate-authority-data: ${ca}`,
    'users:',
    `- name: admin\n  user:\n    token: ${token}`,
    'contexts:',
    '- name: gravix-test\n  context:\n    cluster: gravix-test\n    user: admin\n    namespace: default',
    'current-context: gravix-test',
    '',
  ].join('\n');
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, yaml, { mode: 0o600 });
  return path;
}

async function waitReady(proc: ManagedProcess, url: string, token: string, caPath: () => string) {
  await waitUntil(
    async () => {
      proc.assertRunning();
      const agent = new Agent({ ca: readFileSync(caPath()) });
      const res = await fetchWithAgent(`${url}/readyz`, token, agent);
      return res === 200;
    },
    { what: 'kube-apiserver /readyz', timeoutMs: 90_000, intervalMs: 300 },
  );
}

function fetchWithAgent(url: string, token: string, agent: Agent): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const req = get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

/** Starts etcd and a real kube-apiserver (envtest-style) on free loopback ports. */
export async function startKubeApiserver(): Promise<KubeApiserver> {
  const dir = mkdtempSync(join(tmpdir(), 'gravix-apiserver-'));
  const etcd = await startEtcd();
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const token = randomBytes(24).toString('hex');
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(tokenFile, `${token},gravix-admin,1000,"system:masters"\n`);
  const proc = new ManagedProcess({
    name: 'kube-apiserver',
    command: testbinPaths().kubeApiserver,
    args: apiserverArgs(dir, port, etcd, tokenFile),
  });
  const caPath = () => join(dir, 'certs', 'apiserver.crt');
  proc.start();
  await waitReady(proc, url, token, caPath);
  const kubeconfigPath = writeKubeconfig(dir, url, token, caPath());
  return {
    url,
    etcdUrl: etcd.clientUrl,
    token,
    kubeconfigPath,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return kc;
    },
    async restart(downtimeMs = 0) {
      await proc.stop();
      await new Promise((r) => setTimeout(r, downtimeMs));
      proc.start();
      await waitReady(proc, url, token, caPath);
    },
    async stop() {
      await proc.stop();
      await etcd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
