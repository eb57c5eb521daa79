import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../../domain/api-keys.js';
import { freePort } from '../../../testbin/harness/free-port.js';
import { startGravix, type GravixProcess } from '../../../testbin/harness/gravix-process.js';

export interface SharedStoreReplica {
  proc: GravixProcess;
  /** The replica's `POST /api/v1/facts` URL. */
  url: string;
}

/**
 * A new directory laid out for startSharedStoreReplica: the shared `store`, `keys.json` with one ingest key of
 * `tenant`, and `tenants.yaml` giving that tenant `quotas` (a YAML flow mapping, e.g. `{ services: 10 }`).
 */
export function prepareSharedStoreDir(
  prefix: string,
  tenant: { name: string; key: string; quotas: string },
): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'store'));
  writeFileSync(
    join(dir, 'keys.json'),
    JSON.stringify({
      keys: [{ name: tenant.name, tenant: tenant.name, sha256: hashApiKey(tenant.key), scopes: ['ingest'] }],
    }),
  );
  writeFileSync(
    join(dir, 'tenants.yaml'),
    `tenants:\n  - tenant: ${tenant.name}\n    quotas: ${tenant.quotas}\n`,
  );
  return dir;
}

/**
 * A built `gravix ingest` replica as a pod of several would run: its own data directory (its WAL apart) whose
 * `store` links to `<dir>/store`, one store for all replicas as one bucket would be; keys from `<dir>/keys.json`
 * and tenants from `<dir>/tenants.yaml`. `env` adds the settings a test is about (quota beats, batch size).
 */
export async function startSharedStoreReplica(
  dir: string,
  name: string,
  env: Record<string, string>,
): Promise<SharedStoreReplica> {
  const dataDir = join(dir, name);
  mkdirSync(dataDir);
  symlinkSync(join(dir, 'store'), join(dataDir, 'store'));
  const [port, metrics] = await Promise.all([freePort(), freePort()]);
  const url = `http://127.0.0.1:${port}`;
  const proc = await startGravix(
    'ingest',
    {
      PATH: process.env['PATH'],
      GRAVIX_DATA_DIR: dataDir,
      GRAVIX_API_KEYS_FILE: join(dir, 'keys.json'),
      GRAVIX_TENANTS_FILE: join(dir, 'tenants.yaml'),
      GRAVIX_INGESTER_ID: name,
      GRAVIX_INGEST_HOST: '127.0.0.1',
      GRAVIX_INGEST_PORT: String(port),
      GRAVIX_INGEST_METRICS_PORT: String(metrics),
      GRAVIX_LOG_LEVEL: 'warn',
      ...env,
    },
    `${url}/ready`,
  );
  return { proc, url: `${url}/api/v1/facts` };
}
