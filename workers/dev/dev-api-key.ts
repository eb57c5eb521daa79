import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashApiKey } from '../domain/api-keys.js';

export interface DevApiKey {
  key: string;
  keysFile: string;
}

/**
 * The embedded mode's API key: generated once into the data directory (mode 0600) and reused, so a newcomer's
 * curl keeps working across restarts. Only the key's hash goes into the keys file the ingest worker reads.
 */
export function loadOrCreateDevApiKey(dataDir: string): DevApiKey {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const keyPath = join(dataDir, 'dev-api-key');
  const keysFile = join(dataDir, 'api-keys.json');
  if (!existsSync(keyPath))
    writeFileSync(keyPath, `gx_${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  const key = readFileSync(keyPath, 'utf8').trim();
  const keys = {
    keys: [{ name: 'dev', tenant: 'dev', sha256: hashApiKey(key), scopes: ['ingest', 'query', 'admin'] }],
  };
  writeFileSync(keysFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return { key, keysFile };
}
