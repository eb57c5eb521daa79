import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { pino } from 'pino';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { mountedSecret, type MountedSecret } from '../../adapters/identity/testing/mounted-secret.js';
import { buildDashboardAssets } from '../../../dashboards/web/testing/dashboard-harness.js';
import { launchChromium } from '../../../testbin/harness/chromium.js';
import { startDex, type DexServer } from '../../../testbin/harness/dex-server.js';
import { freePort } from '../../../testbin/harness/free-port.js';
import { loadQueryConfig } from '../config.js';
import { startQueryServer, type QueryServer } from '../app/query-server.js';
import {
  signInServerEnv,
  signInThroughDex,
  stopSignInParts,
  writeSignInFiles,
} from '../testing/dex-sign-in.js';

/**
 * A rotated OIDC client secret applies without restarting the query server (issue #16): the secret is a mounted
 * file (GRAVIX_OIDC_CLIENT_SECRET_FILE, what the operator renders) that the server reads at each sign-in. A real Dex
 * is restarted with a new client secret on the same issuer (the provider-side rotation); until the file is
 * swapped as the kubelet swaps it, the code exchange is refused; after, the same server signs people in again.
 */
const admin = { email: 'ada@example.com', username: 'ada', groups: ['acme-admins'] };
const firstSecret = 'first-client-secret-0123456789';
const secondSecret = 'second-client-secret-9876543210';

let dex: DexServer;
let dexPort: number;
let query: QueryServer;
let browser: Browser;
let url: string;
let secret: MountedSecret;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gx-signin-rotation-'));
  const port = await freePort();
  dexPort = await freePort();
  url = `http://127.0.0.1:${port}`;
  const redirectUris = [`${url}/api/v1/auth/callback`];
  dex = await startDex({ users: [admin], redirectUris, clientSecret: firstSecret, port: dexPort });
  secret = mountedSecret('client-secret', firstSecret);
  const { keysFile, rolesFile } = writeSignInFiles(dir, {
    tenant: 'acme',
    rootKey: 'k',
    rootScopes: ['admin'],
    groups: { admin: ['acme-admins'] },
  });
  const config = loadQueryConfig(
    signInServerEnv(
      { dir, port, dex, keysFile, rolesFile, dashboardDir: buildDashboardAssets() },
      { GRAVIX_OIDC_CLIENT_SECRET_FILE: secret.path },
    ),
  );
  query = await startQueryServer(config, new LocalObjectStore(join(dir, 'store')), pino({ level: 'silent' }));
  browser = await launchChromium();
}, 120_000);

afterAll(() => stopSignInParts({ contexts, browser, servers: [query], dex }));

/** Signs the admin in; the landing hash (empty, or #signin-error=CODE) and who the session says they are. */
async function signIn(): Promise<{ hash: string; whoami: number }> {
  const page = await signInThroughDex(browser, url, admin.email, contexts);
  const whoami = await page.evaluate(async () => (await fetch('/api/v1/whoami')).status);
  return { hash: new URL(page.url()).hash, whoami };
}

describe('a rotated OIDC client secret, without a query server restart', () => {
  it('signs in with the secret the file holds at start', async () => {
    expect(await signIn()).toEqual({ hash: '', whoami: 200 });
  }, 120_000);

  it('is refused by the provider while the file still holds the old secret, and signs in once it is swapped', async () => {
    await dex.stop();
    dex = await startDex({
      users: [admin],
      redirectUris: [`${url}/api/v1/auth/callback`],
      clientSecret: secondSecret,
      port: dexPort,
    });
    // The provider has the new secret, the mounted Secret not yet: the code exchange fails (the test is not vacuous).
    expect(await signIn()).toEqual({ hash: '#signin-error=SIGN_IN_FAILED', whoami: 401 });
    secret.rotate(secondSecret);
    expect(await signIn()).toEqual({ hash: '', whoami: 200 });
  }, 180_000);
});
