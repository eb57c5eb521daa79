import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { testbinPaths } from './testbin-paths.js';
import { waitUntil } from './wait-until.js';

export interface DexUser {
  email: string;
  /** Shown by Dex; people sign in with the email and dexPassword. */
  username: string;
  groups: string[];
}

/** bcrypt of "password" (cost 10), from Dex's examples/config-dev.yaml: every test user signs in with it. */
export const dexPasswordHash = '$2a$10$2b2cU8CPhOTaGrs1HRQuAueS7JTT5ZHsHSzYiFPm1leZck7Mc8T4W';
export const dexPassword = 'password';

export interface DexServer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

export interface DexOptions {
  users: DexUser[];
  /** Redirect URIs the one static client may use. */
  redirectUris: string[];
  /** The static client's secret (a provider-side rotation restarts Dex with another). */
  clientSecret?: string;
  /** The port (a restarted Dex keeps its issuer URL); a free one by default. */
  port?: number;
}

/**
 * Starts a real Dex (built from its Go module by scripts/testbin.sh dex) on a free loopback port: in-memory storage,
 * the password database with static users and their groups, one static confidential client, no approval screen.
 */
export async function startDex(options: DexOptions): Promise<DexServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gravix-dex-'));
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}/dex`;
  const client = { id: 'gravix', secret: options.clientSecret ?? 'gravix-test-client-secret' };
  const config = {
    issuer,
    storage: { type: 'memory' },
    web: { http: `127.0.0.1:${port}` },
    logger: { level: 'info', format: 'json' },
    oauth2: { skipApprovalScreen: true, responseTypes: ['code'] },
    enablePasswordDB: true,
    staticClients: [
      { id: client.id, secret: client.secret, name: 'Gravix', redirectURIs: options.redirectUris },
    ],
    staticPasswords: options.users.map((u, i) => ({
      email: u.email,
      username: u.username,
      hash: dexPasswordHash,
      userID: `user-${i}`,
      groups: u.groups,
    })),
  };
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, stringify(config));
  const proc = new ManagedProcess({ name: 'dex', command: testbinPaths().dex, args: ['serve', configPath] });
  proc.start();
  await waitUntil(
    async () => {
      proc.assertRunning();
      return (await fetch(`${issuer}/.well-known/openid-configuration`).catch(() => undefined))?.ok === true;
    },
    { what: 'dex /.well-known/openid-configuration', timeoutMs: 60_000 },
  );
  return {
    issuer,
    clientId: client.id,
    clientSecret: client.secret,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
