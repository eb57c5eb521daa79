import type { Logger } from 'pino';
import {
  API_VERSION,
  buildPipelineCrd,
  CRD_NAME,
  GROUP,
  KIND,
  PLURAL,
  VERSION,
} from '../../crds/gravix-pipeline-crd.js';
import { ALERT_RULE_CRD_NAME, buildAlertRuleCrd } from '../../crds/gravix-alert-rule-crd.js';
import { buildTenantCrd, TENANT_CRD_NAME } from '../../crds/gravix-tenant-crd.js';
import { staleStoredVersions, storageVersionHash, type CrdVersions } from '../domain/stored-versions.js';
import type { KubeClient, KubeObject } from './kube-client.js';
import { isConflict, isNotFound } from './kube-errors.js';
import { sleep } from './watcher.js';

export const CRD_UPGRADE_FIELD_MANAGER = 'gravix-crd-upgrade';

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const CRD_PATH = `${CRDS}/${CRD_NAME}`;
const LIST_PATH = `/apis/${API_VERSION}/${PLURAL}`;
const PAGE = '100';
const MAX_ATTEMPTS = 5;

export interface CrdUpgradeResult {
  /** Pipelines written back in the storage version. */
  rewritten: number;
  /** Versions dropped from status.storedVersions. */
  dropped: string[];
}

export class CrdUpgradeError extends Error {
  readonly code = 'CRD_UPGRADE_FAILED';
}

type Crd = KubeObject & CrdVersions & { status?: { conditions?: { type: string; status: string }[] } };
type Discovery = { resources?: { name: string; storageVersionHash?: string }[] };

/**
 * Upgrades the GravixPipeline CRD in place (docs/adr/0070): applies the CRD this release ships, waits until the
 * apiserver stores in its storage version, rewrites every stored pipeline, then drops the older versions from
 * `status.storedVersions`. Idempotent: run again after any failure. The GravixAlertRule and GravixTenant CRDs (one
 * version each, nothing to migrate) are applied first: Helm installs the CRDs of a chart's crds/ folder only on the first install, so an
 * operator upgraded from a release without it would otherwise never get it.
 */
export async function upgradePipelineCrd(
  client: KubeClient,
  logger: Logger,
  timeoutMs = 120_000,
): Promise<CrdUpgradeResult> {
  await client.apply(`${CRDS}/${ALERT_RULE_CRD_NAME}`, buildAlertRuleCrd(), CRD_UPGRADE_FIELD_MANAGER);
  await client.apply(`${CRDS}/${TENANT_CRD_NAME}`, buildTenantCrd(), CRD_UPGRADE_FIELD_MANAGER);
  await client.apply(CRD_PATH, buildPipelineCrd(), CRD_UPGRADE_FIELD_MANAGER);
  await waitForStorageVersion(client, timeoutMs);
  const rewritten = await rewriteAll(client, logger);
  const crd = await client.request<Crd>({ method: 'GET', path: CRD_PATH });
  const dropped = staleStoredVersions(crd);
  if (dropped.length > 0)
    await client.request({
      method: 'PATCH',
      path: `${CRD_PATH}/status`,
      // A merge patch replaces the list: the storage version alone remains.
      body: { status: { storedVersions: [VERSION] } },
      contentType: 'application/merge-patch+json',
    });
  logger.info({ rewritten, dropped, storageVersion: VERSION }, 'pipeline CRD upgraded');
  return { rewritten, dropped };
}

/**
 * Established is not enough: a write is stored in the new version only once the apiserver has switched its
 * handler; discovery's storageVersionHash moving is the signal kube-storage-version-migrator waits for too. Nor is
 * discovery alone: it can move before the version's handler serves, and a list sent then is answered with a bare
 * `404 page not found` (seen once in a whole integration run, 2026-12-04), so the list must answer too.
 */
async function waitForStorageVersion(client: KubeClient, timeoutMs: number): Promise<void> {
  const wanted = storageVersionHash(GROUP, VERSION, KIND);
  const deadline = Date.now() + timeoutMs;
  let seen: string | undefined = 'nothing';
  while (Date.now() < deadline) {
    const crd = await client.request<Crd>({ method: 'GET', path: CRD_PATH });
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) {
      const discovery = await client
        .request<Discovery>({ method: 'GET', path: `/apis/${API_VERSION}` })
        .catch((e: unknown) => (isNotFound(e) ? {} : Promise.reject(e)));
      seen = (discovery as Discovery).resources?.find((r) => r.name === PLURAL)?.storageVersionHash;
      if (seen === wanted && (await listServed(client))) return;
    }
    await sleep(500);
  }
  throw new CrdUpgradeError(
    `${CRD_NAME} did not switch its storage version to ${VERSION} within ${timeoutMs} ms (discovery's storageVersionHash: ${seen ?? 'none'}, wanted ${wanted})`,
  );
}

/** Whether the storage version's list answers (false while the apiserver still answers it 404). */
async function listServed(client: KubeClient): Promise<boolean> {
  return client
    .request({ method: 'GET', path: LIST_PATH, query: { limit: '1' } })
    .then(() => true)
    .catch((e: unknown) => (isNotFound(e) ? false : Promise.reject(e)));
}

/** Every pipeline in every namespace, a page at a time, each written back unchanged. */
async function rewriteAll(client: KubeClient, logger: Logger): Promise<number> {
  let rewritten = 0;
  let cont: string | undefined;
  do {
    const page = await client.request<{ items: KubeObject[]; metadata?: { continue?: string } }>({
      method: 'GET',
      path: LIST_PATH,
      query: { limit: PAGE, continue: cont },
    });
    for (const item of page.items) if (await rewrite(client, item)) rewritten++;
    cont = page.metadata?.continue || undefined;
  } while (cont);
  logger.debug({ rewritten }, 'pipelines rewritten in the storage version');
  return rewritten;
}

/**
 * An update with nothing changed still writes: the apiserver compares the bytes it would store (now encoded as
 * the storage version) with etcd's. A conflict means someone wrote meanwhile; read again and write once more
 * rather than trust that their write came after the switch.
 */
async function rewrite(client: KubeClient, item: KubeObject): Promise<boolean> {
  const { namespace = '', name = '' } = item.metadata ?? {};
  const path = `/apis/${API_VERSION}/namespaces/${namespace}/${PLURAL}/${name}`;
  let current = item;
  for (let attempt = 1; ; attempt++) {
    try {
      await client.request({ method: 'PUT', path, body: current });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      if (!isConflict(error) || attempt >= MAX_ATTEMPTS)
        throw new CrdUpgradeError(`rewriting ${KIND} ${namespace}/${name} failed`, { cause: error });
      const latest = await client
        .request({ method: 'GET', path })
        .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
      if (!latest) return false;
      current = latest;
    }
  }
}
