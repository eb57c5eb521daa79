import { mkdirSync } from 'node:fs';
import { pino } from 'pino';
import { repoPath } from '../../testbin/harness/testbin-paths.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { API_VERSION, KIND } from '../../crds/gravix-pipeline-crd.js';
import type { KubeClient, KubeObject } from '../adapters/kube-client.js';
import { isNotFound } from '../adapters/kube-errors.js';
import { resourcePath } from '../adapters/resource-paths.js';
import { loadConfig } from '../config.js';
import { loadConnection, startOperator, type RunningOperator } from '../main.js';
import type { KubeTestEnv } from './kube-test-env.js';

/** Starts an in-process operator against the test apiserver; its JSON log goes to test-artifacts/logs. */
export async function startTestOperator(
  env: KubeTestEnv,
  extraEnv: Record<string, string> = {},
): Promise<RunningOperator> {
  const dir = repoPath('test-artifacts', 'logs');
  mkdirSync(dir, { recursive: true });
  const logger = pino(
    { level: 'debug' },
    pino.destination({ dest: `${dir}/operator-${process.pid}-${Date.now()}.log`, sync: false }),
  );
  const config = loadConfig({
    GRAVIX_OPERATOR_HTTP_HOST: '127.0.0.1',
    GRAVIX_OPERATOR_HTTP_PORT: '0',
    GRAVIX_OPERATOR_RESYNC_SECONDS: '30',
    GRAVIX_OPERATOR_KUBECONFIG: env.apiserver.kubeconfigPath,
    ...extraEnv,
  });
  return startOperator(config, loadConnection(config), logger);
}

export const pipelinePath = (name?: string, namespace = 'default') =>
  resourcePath({ apiVersion: API_VERSION, kind: KIND, namespace, name });

export function childPath(apiVersion: string, kind: string, name: string, namespace = 'default'): string {
  return resourcePath({ apiVersion, kind, namespace, name });
}

export async function getOrUndefined(client: KubeClient, path: string): Promise<KubeObject | undefined> {
  return client
    .request({ method: 'GET', path })
    .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
}

export function mergePatch(client: KubeClient, path: string, body: unknown): Promise<KubeObject> {
  return client.request({ method: 'PATCH', path, body, contentType: 'application/merge-patch+json' });
}

/**
 * Polls until the probe answers. The default is generous: on a loaded CI machine (the full suite, load 20-30) a
 * pass can take seconds; a real miss still fails, only later.
 */
export function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  return waitUntil(probe, { what, timeoutMs, intervalMs: 100 });
}
