import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pino } from 'pino';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import { buildDashboardAssets } from '../../../dashboards/web/testing/dashboard-harness.js';
import { launchChromium } from '../../../testbin/harness/chromium.js';
import { startDex, type DexServer } from '../../../testbin/harness/dex-server.js';
import { freePort } from '../../../testbin/harness/free-port.js';
import { loadQueryConfig } from '../config.js';
import { startQueryServer, type QueryServer } from '../app/query-server.js';
import {
  pageFetch,
  signInServerEnv,
  signInThroughDex,
  stopSignInParts,
  writeSignInFiles,
} from '../testing/dex-sign-in.js';

/**
 * People sign in through a real OpenID provider: Dex (built from its Go module, static users and groups) in front of
 * the real query server, driven by Debian's Chromium. One Dex, one server and one browser for the whole file.
 */
const users = {
  admin: { email: 'ada@example.com', username: 'ada', groups: ['acme-admins'] },
  viewer: { email: 'vic@example.com', username: 'vic', groups: ['acme-viewers', 'other'] },
  stranger: { email: 'nora@example.com', username: 'nora', groups: ['strangers'] },
};
const ADMIN_KEY = 'sign-in-admin-key';

let dex: DexServer;
let query: QueryServer;
let browser: Browser;
let url: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gx-signin-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  dex = await startDex({ users: Object.values(users), redirectUris: [`${url}/api/v1/auth/callback`] });
  const { keysFile, rolesFile } = writeSignInFiles(dir, {
    tenant: 'acme',
    rootKey: ADMIN_KEY,
    rootScopes: ['query', 'operator', 'admin'],
    groups: { admin: ['acme-admins'], viewer: ['acme-viewers'] },
  });
  const config = loadQueryConfig(
    signInServerEnv(
      { dir, port, dex, keysFile, rolesFile, dashboardDir: buildDashboardAssets() },
      {
        GRAVIX_KEYS_RELOAD_MS: '200',
        // The stranger's third sign-in is one too many (two failures in the window); every test comes from 127.0.0.1.
        GRAVIX_SIGNIN_MAX_FAILURES_PER_ACCOUNT: '2',
        GRAVIX_SIGNIN_MAX_FAILURES_PER_SOURCE: '1000',
      },
    ),
  );
  query = await startQueryServer(config, new LocalObjectStore(join(dir, 'store')), pino({ level: 'silent' }));
  browser = await launchChromium();
}, 120_000);

afterAll(() => stopSignInParts({ contexts, browser, servers: [query], dex }));

/** Signs in through Dex as `user` (workers/query/testing/dex-sign-in.ts). */
const signIn = (user: { email: string }): Promise<Page> =>
  signInThroughDex(browser, url, user.email, contexts);

/** The text of an element once the page has filled it in (the page fills it after its API calls answer). */
async function filledText(page: Page, selector: string): Promise<string> {
  await page.waitForFunction((s) => (document.querySelector(s)?.textContent ?? '') !== '', selector, {
    timeout: 30_000,
  });
  return (await page.locator(selector).textContent()) ?? '';
}

async function auditEvents(): Promise<AuditEvent[]> {
  const res = await fetch(`${url}/api/v1/audit?from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`, {
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
  });
  return ((await res.json()) as { events: AuditEvent[] }).events;
}

describe('sign-in through an OpenID provider (Dex)', () => {
  it('signs an admin in through Dex in Chromium with an HttpOnly, SameSite=Strict session cookie and no stored token', async () => {
    const page = await signIn(users.admin);
    expect(await filledText(page, '#who')).toBe('user:ada@example.com (admin) · acme');
    const cookies = await page.context().cookies(url);
    const session = cookies.find((c) => c.name === 'gravix_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookies.map((c) => c.name)).not.toContain('gravix_signin');
    expect(await page.evaluate(() => localStorage.getItem('gravix.token'))).toBeNull();
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect((await pageFetch(page, 'GET', '/api/v1/services')).status).toBe(200);
    const signins = (await auditEvents()).filter((e) => e.action === 'signin');
    expect(signins.map((e) => [e.actor, e.tenant])).toContainEqual(['user:ada@example.com', 'acme']);
  });

  it('brings a person who opened a shared link back to that view after signing in, and refuses a return elsewhere', async () => {
    const link = '/?service=checkout&method=POST&path=%2Fpay&range=6h&tz=utc';
    const page = await signInThroughDex(browser, url, users.viewer.email, contexts, link);
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(link);
    expect(await filledText(page, '#who')).toBe('user:vic@example.com (viewer) · acme');
    // Only a path on this origin: another host (//host, /\\host, a URL) is a 400 before the provider is asked.
    for (const away of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
    ]) {
      const res = await fetch(`${url}/api/v1/auth/login?return=${encodeURIComponent(away)}`, {
        redirect: 'manual',
      });
      expect([res.status, ((await res.json()) as { error: { code: string; field: string } }).error]).toEqual([
        400,
        expect.objectContaining({ code: 'INVALID_QUERY_PARAMETER', field: 'return' }),
      ]);
    }
  });

  it("lets an admin create a key on the admin page, showing its secret once, and reads the change in the page's audit log", async () => {
    const page = await signIn(users.admin);
    await page.goto(`${url}/#admin`);
    // Usage against quotas: acme has no tenants file entry here, so nothing is limited.
    expect(await filledText(page, '#usage-table')).toContain('Tenant acme · 0 ingest replicas');
    await page.locator('#key-name').fill('made-in-the-browser');
    await page.locator('#key-create button[type="submit"]').click();
    const secret = await filledText(page, '#key-secret-value');
    expect(secret.length).toBeGreaterThan(20);
    await page.waitForFunction(() =>
      document.querySelector('#keys-table')?.textContent?.includes('made-in-the-browser'),
    );
    const ingest = await fetch(`${url}/api/v1/whoami`, { headers: { authorization: `Bearer ${secret}` } });
    expect(ingest.status).toBe(403); // an ingest-only key: known (not 401), but not a reader
    await page.locator('#audit-actor').fill('user:ada@example.com');
    await page.locator('#audit-filter button[type="submit"]').click();
    await page.waitForFunction(() =>
      document.querySelector('#audit-table')?.textContent?.includes('key.create'),
    );
    const created = (await auditEvents()).find((e) => e.action === 'key.create');
    expect(created).toMatchObject({ actor: 'user:ada@example.com', tenant: 'acme' });
  });

  it('refuses a signed-in change without the CSRF token, as a forged cross-site request would come', async () => {
    const page = await signIn(users.admin);
    const forged = await pageFetch(page, 'POST', '/api/v1/keys', {
      body: { name: 'forged', scopes: ['admin'] },
    });
    expect(forged).toMatchObject({ status: 403, body: { error: { code: 'CSRF_TOKEN_INVALID' } } });
    const keys = await pageFetch(page, 'GET', '/api/v1/keys');
    expect(JSON.stringify(keys.body)).not.toContain('forged');
  });

  it('gives a viewer 403 on admin actions in the UI and the API, and lets them read', async () => {
    const page = await signIn(users.viewer);
    expect(await filledText(page, '#who')).toBe('user:vic@example.com (viewer) · acme');
    expect(await page.locator('#admin-link').isHidden()).toBe(true);
    await page.goto(`${url}/#admin`);
    expect(await filledText(page, '#admin-error')).toMatch(
      /^Not allowed \(403 FORBIDDEN\): user:vic@example\.com \(role viewer in tenant acme\)/,
    );
    const create = await pageFetch(page, 'POST', '/api/v1/keys', {
      body: { name: 'viewer-made', scopes: ['query'] },
      csrf: true,
    });
    expect(create).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await pageFetch(page, 'GET', '/api/v1/audit')).status).toBe(403);
    expect((await pageFetch(page, 'GET', '/api/v1/freshness')).status).toBe(200);
  });

  it('turns away a person whose groups give no role, shows why, and audits the failed sign-in', async () => {
    const page = await signIn(users.stranger);
    expect(new URL(page.url()).hash).toBe('#signin-error=NO_ROLE');
    expect(await filledText(page, '#signin-error')).toMatch(/none of your groups/);
    expect((await page.context().cookies(url)).map((c) => c.name)).not.toContain('gravix_session');
    const failed = (await auditEvents()).find((e) => e.action === 'signin.failed');
    expect(failed).toMatchObject({ actor: 'user:nora@example.com', tenant: 'acme' });
    expect(failed?.reason).toBe('NO_ROLE: no group gives a role (groups: strangers)');
  });

  it("refuses an account's sign-in through Dex after its limit of failures, audits it, and lets others in", async () => {
    // The test above failed once for the stranger; this is the second failure, the next is refused outright.
    expect(new URL((await signIn(users.stranger)).url()).hash).toBe('#signin-error=NO_ROLE');
    const page = await signIn(users.stranger);
    expect(new URL(page.url()).hash).toBe('#signin-error=SIGN_IN_THROTTLED');
    expect(await filledText(page, '#signin-error')).toMatch(/Too many failed sign-ins/);
    const throttled = (await auditEvents()).find((e) => e.reason?.startsWith('SIGN_IN_THROTTLED'));
    expect(throttled).toMatchObject({
      action: 'signin.failed',
      actor: 'user:nora@example.com',
      tenant: 'acme',
      reason: expect.stringMatching(
        /^SIGN_IN_THROTTLED: too many failed sign-ins of this account; \d+ s to wait$/,
      ),
    });
    expect(await filledText(await signIn(users.viewer), '#who')).toBe('user:vic@example.com (viewer) · acme');
  });

  it('signs out: the session is gone on the server (the old cookie gets 401) and the sign-out is audited', async () => {
    const page = await signIn(users.viewer);
    await page.locator('#sign-out').click({ timeout: 30_000 });
    // The page posts the sign-out, then reloads: the server's answer clears the cookie.
    await page.waitForFunction(
      () => document.querySelector('#login')?.hasAttribute('hidden') === false,
      null,
      {
        timeout: 30_000,
      },
    );
    const old = (await page.context().cookies(url)).find((c) => c.name === 'gravix_session');
    expect(old).toBeUndefined();
    const audited = (await auditEvents()).filter((e) => e.action === 'signout');
    expect(audited.map((e) => e.actor)).toContain('user:vic@example.com');
  });

  it('refuses a replayed session cookie after sign-out with 401', async () => {
    const page = await signIn(users.viewer);
    const cookie = (await page.context().cookies(url)).find((c) => c.name === 'gravix_session')!;
    // RP-initiated logout only where the provider's discovery offers it; this Dex does not, so the sign-out is the
    // local revoke (204), as docs/security.md says.
    const discovery = (await (await fetch(`${dex.issuer}/.well-known/openid-configuration`)).json()) as {
      end_session_endpoint?: string;
    };
    expect(discovery.end_session_endpoint).toBeUndefined();
    expect((await pageFetch(page, 'POST', '/api/v1/auth/logout', { csrf: true })).status).toBe(204);
    const replay = await fetch(`${url}/api/v1/services`, {
      headers: { cookie: `gravix_session=${cookie.value}` },
    });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: { message: string } }).error.message).toBe(
      'the session has expired or was signed out: sign in again',
    );
  });

  it('answers a callback nobody started with a redirect and no audit event, and a forged code with an audited failure', async () => {
    const before = (await auditEvents()).length;
    const bare = await fetch(`${url}/api/v1/auth/callback?code=x&state=y`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([302, '/#signin-error=SIGN_IN_NOT_STARTED']);
    expect((await auditEvents()).length).toBe(before);
    const login = await fetch(`${url}/api/v1/auth/login`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toMatch(
      new RegExp(`^${dex.issuer}/auth\\?.*code_challenge_method=S256`),
    );
    const transaction = login.headers.get('set-cookie')!.split(';')[0]!;
    const forged = await fetch(`${url}/api/v1/auth/callback?code=forged&state=forged`, {
      redirect: 'manual',
      headers: { cookie: transaction },
    });
    expect([forged.status, forged.headers.get('location')]).toEqual([302, '/#signin-error=SIGN_IN_FAILED']);
    const failed = (await auditEvents()).filter((e) => e.action === 'signin.failed').at(-1);
    expect(failed).toMatchObject({ actor: 'anonymous', tenant: 'acme' });
    expect(failed?.reason).toMatch(/^SIGN_IN_FAILED: /);
  });
});
