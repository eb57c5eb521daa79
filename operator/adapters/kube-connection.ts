import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';

export type { KubeConfig };

/**
 * Where and how to reach the apiserver. The operator reads kubeconfig itself instead of importing client-node:
 * client-node's entry point loads every generated API model (~80 MiB RSS), more than the operator's whole budget.
 * Supported: bearer tokens (inline or file, re-read so rotated service-account tokens work), client certificates,
 * CA data or files. Not supported: exec/auth-provider plugins (use them from a workstation with kubectl proxy).
 */
export interface KubeConnection {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: () => string;
  namespace?: string;
}

export class KubeconfigError extends Error {
  readonly code = 'INVALID_KUBECONFIG';
}

interface Named<T> {
  name: string;
  [key: string]: T | string;
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: Named<{ cluster: string; user: string; namespace?: string }>[];
  clusters?: Named<{
    server: string;
    'certificate-authority'?: string;
    'certificate-authority-data'?: string;
  }>[];
  users?: Named<Record<string, string>>[];
}

function pick<T>(list: Named<T>[] | undefined, key: string, name: string | undefined, path: string): T {
  const entry = list?.find((e) => e.name === name)?.[key] as T | undefined;
  if (!entry) throw new KubeconfigError(`kubeconfig ${path}: no ${key} named '${name}'`);
  return entry;
}

/** Re-reads a token file at most once a minute (kubelet rotates projected service-account tokens). */
export function tokenFromFile(file: string): () => string {
  let cached = { value: '', at: 0 };
  return () => {
    if (Date.now() - cached.at > 60_000)
      cached = { value: readFileSync(file, 'utf8').trim(), at: Date.now() };
    return cached.value;
  };
}

export function loadKubeconfigFile(path: string): KubeConnection {
  const config = parse(readFileSync(path, 'utf8')) as Kubeconfig;
  const base = dirname(path);
  const file = (f: string) => readFileSync(isAbsolute(f) ? f : join(base, f));
  const data = (inline: string | undefined, ref: string | undefined) =>
    inline ? Buffer.from(inline, 'base64') : ref ? file(ref) : undefined;
  const context = pick(config.contexts, 'context', config['current-context'], path);
  const cluster = pick(config.clusters, 'cluster', context.cluster, path);
  const user = pick(config.users, 'user', context.user, path);
  const token = user['token'];
  const tokenFile = user['tokenFile'];
  return {
    server: cluster.server,
    ca: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: data(user['client-certificate-data'], user['client-certificate']),
    key: data(user['client-key-data'], user['client-key']),
    token: token
      ? () => token
      : tokenFile
        ? tokenFromFile(isAbsolute(tokenFile) ? tokenFile : join(base, tokenFile))
        : undefined,
    namespace: context.namespace,
  };
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** In-cluster: the pod's service account token and CA, the apiserver address from the kubelet-injected env. */
export function loadInCluster(host: string, port: string, dir = SERVICE_ACCOUNT_DIR): KubeConnection {
  const server = host.includes(':') ? `https://[${host}]:${port}` : `https://${host}:${port}`;
  return { server, ca: readFileSync(join(dir, 'ca.crt')), token: tokenFromFile(join(dir, 'token')) };
}

/**
 * Adapts a client-node KubeConfig someone already holds (type-only import: nothing of client-node is loaded here).
 * The token is taken once, which suits tests and embedders; the operator itself uses the loaders above.
 */
export async function connectionFromKubeConfig(kc: KubeConfig): Promise<KubeConnection> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeconfigError('KubeConfig has no current cluster');
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const authorization = (opts.headers as Record<string, string> | undefined)?.['Authorization'];
  const asBuffer = (v: unknown) => (v === undefined ? undefined : Buffer.from(v as string | Buffer));
  return {
    server: cluster.server,
    ca: asBuffer(opts.ca),
    cert: asBuffer(opts.cert),
    key: asBuffer(opts.key),
    token: authorization ? () => authorization.replace(/^Bearer /, '') : undefined,
  };
}
