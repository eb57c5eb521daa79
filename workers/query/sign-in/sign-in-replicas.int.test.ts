import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { pino } from 'pino';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
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
 * The failed sign-in limit holds across query replicas (issue #22, docs/adr/0090): two real query servers share one
 * store, a real Dex signs people in, and failures on either replica count against the same limit. With the limit
 * counted per replica (before), each replica would have let the attacker through twice as often.
 */
const stranger = { email: 'nora@example.com', username: 'nora', groups: ['strangers'] };
const perAccount = 2;
const perSource = 6;

let dex: DexServer;
let browser: Browser;
const servers: { query: QueryServer; url: string }[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gx-signin-replicas-'));
  const ports = [await freePort(), await freePort()];
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  dex = await startDex({ users: [stranger], redirectUris: urls.map((u) => `${u}/api/v1/auth/callback`) });
  const { keysFile, rolesFile } = writeSignInFiles(dir, {
    tenant: 'acme',
    rootKey: 'k',
    rootScopes: ['admin'],
    groups: { admin: ['acme-admins'] },
  });
  const assets = buildDashboardAssets();
  for (const [i, port] of ports.entries()) {
    const config = loadQueryConfig(
      signInServerEnv(
        { dir: join(dir, `replica-${i}`), port, dex, keysFile, rolesFile, dashboardDir: assets },
        {
          GRAVIX_SIGNIN_MAX_FAILURES_PER_ACCOUNT: String(perAccount),
          GRAVIX_SIGNIN_MAX_FAILURES_PER_SOURCE: String(perSource),
        },
      ),
    );
    // One store for both replicas, as on Kubernetes (there: MinIO or S3).
    const store = new LocalObjectStore(join(dir, 'store'));
    servers.push({ query: await startQueryServer(config, store, pino({ level: 'silent' })), url: urls[i]! });
  }
  browser = await launchChromium();
}, 120_000);

afterAll(() => stopSignInParts({ contexts, browser, servers: servers.map((s) => s.query), dex }));

/** Signs in through Dex on one replica's dashboard, as a person would; the landing URL's hash says how it went. */
async function signInHash(url: string): Promise<string> {
  return new URL((await signInThroughDex(browser, url, stranger.email, contexts)).url()).hash;
}

/** A sign-in begun on one replica and answered with a forged code: one failure of this source. */
async function forgedCallback(url: string): Promise<{ status: number; location: string | null }> {
  const login = await fetch(`${url}/api/v1/auth/login`, { redirect: 'manual' });
  if (login.status !== 302) return { status: login.status, location: null };
  const transaction = login.headers.get('set-cookie')!.split(';')[0]!;
  const res = await fetch(`${url}/api/v1/auth/callback?code=forged&state=forged`, {
    redirect: 'manual',
    headers: { cookie: transaction },
  });
  return { status: res.status, location: res.headers.get('location') };
}

/** GET from a chosen loopback source address (another "client" for the per-source limit): status and headers. */
function getFrom(localAddress: string, url: string, cookie?: string) {
  return new Promise<{ status: number; location?: string; cookie?: string }>((resolve, reject) => {
    const req = request(url, { localAddress, headers: cookie ? { cookie } : {} }, (res) => {
      res.resume();
      resolve({
        status: res.statusCode ?? 0,
        ...(res.headers.location ? { location: res.headers.location } : {}),
        ...(res.headers['set-cookie'] ? { cookie: res.headers['set-cookie'][0]!.split(';')[0]! } : {}),
      });
    });
    req.on('error', reject).end();
  });
}

describe('failed sign-ins are counted once for all query replicas', () => {
  it('refuses an account on one replica after its failures on the other (Dex, Chromium)', async () => {
    const [a, b] = servers;
    expect(await signInHash(a!.url)).toBe('#signin-error=NO_ROLE');
    expect(await signInHash(b!.url)).toBe('#signin-error=NO_ROLE');
    // Each replica has seen one failure: counted per replica, the limit of 2 would let both try again.
    expect(await signInHash(a!.url)).toBe('#signin-error=SIGN_IN_THROTTLED');
    expect(await signInHash(b!.url)).toBe('#signin-error=SIGN_IN_THROTTLED');
  }, 180_000);

  it('refuses a source on both replicas once its failures, spread over both, reach the limit', async () => {
    // The account test above cost this source (127.0.0.1) two failures; throttled answers are not failures.
    const answers = [];
    for (let i = 0; i < perSource - perAccount; i++) answers.push(await forgedCallback(servers[i % 2]!.url));
    expect(answers).toEqual(
      Array.from({ length: perSource - perAccount }, () => ({
        status: 302,
        location: '/#signin-error=SIGN_IN_FAILED',
      })),
    );
    for (const { url } of servers) {
      const login = await fetch(`${url}/api/v1/auth/login`, { redirect: 'manual' });
      expect(login.status).toBe(429);
      expect(Number(login.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await login.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('SIGN_IN_THROTTLED');
      expect(body.error.message).toMatch(/^too many failed sign-ins from 127\.0\.0\.1; try again in \d+ s$/);
    }
  }, 60_000);

  it('lets exactly the limit of a burst of concurrent failing sign-ins reach the provider, across both replicas', async () => {
    // From 127.0.0.2 (a source with no failures yet): begin 3 x the limit sign-ins, then answer them all at once.
    const source = '127.0.0.2';
    const begun = await Promise.all(
      Array.from({ length: 3 * perSource }, async (_, i) => {
        const url = servers[i % 2]!.url;
        const login = await getFrom(source, `${url}/api/v1/auth/login`);
        expect(login.status).toBe(302);
        return { url, cookie: login.cookie! };
      }),
    );
    const answers = await Promise.all(
      begun.map(({ url, cookie }) =>
        getFrom(source, `${url}/api/v1/auth/callback?code=forged&state=forged`, cookie),
      ),
    );
    const landings = answers.map((a) => a.location);
    // Counted only after each failed (before), every attempt in flight passed the check.
    expect(landings.filter((l) => l === '/#signin-error=SIGN_IN_FAILED')).toHaveLength(perSource);
    expect(landings.filter((l) => l === '/#signin-error=SIGN_IN_THROTTLED')).toHaveLength(2 * perSource);
    for (const { url } of servers)
      expect((await getFrom(source, `${url}/api/v1/auth/login`)).status).toBe(429);
  }, 60_000);
});
