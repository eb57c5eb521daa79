import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hashApiKey } from '../../domain/api-keys.js';
import { dexPassword, type DexServer } from '../../../testbin/harness/dex-server.js';

/**
 * Opens the dashboard at `url` (at `landing`, a path and query), follows its sign-in button to Dex and signs in there as `email` (Dex's password
 * database signs in by email), like a person would; the page is back on the dashboard's origin. The context goes
 * into `contexts` for the caller to close.
 */
export async function signInThroughDex(
  browser: Browser,
  url: string,
  email: string,
  contexts: BrowserContext[],
  landing = '/',
): Promise<Page> {
  const context = await browser.newContext({ timezoneId: 'UTC' });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${url}${landing}`);
  await page.locator('#sso-link').click({ timeout: 30_000 });
  await page.locator('input[name="login"]').fill(email, { timeout: 30_000 });
  await page.locator('input[name="password"]').fill(dexPassword);
  await page.locator('#submit-login').click();
  await page.waitForURL((u) => u.origin === url, { timeout: 30_000 });
  return page;
}

/** A call made by the page itself, with its cookies; `csrf` adds the session's token as the dashboard does. */
export async function pageFetch(
  page: Page,
  method: string,
  path: string,
  options: { body?: unknown; csrf?: boolean } = {},
): Promise<{ status: number; body: Record<string, unknown> | null }> {
  return page.evaluate(
    async ({ method, path, body, csrf }) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (csrf) {
        const me = (await (await fetch('/api/v1/whoami')).json()) as { csrfToken: string };
        headers['x-csrf-token'] = me.csrfToken;
      }
      const res = await fetch(path, {
        method,
        headers,
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return {
        status: res.status,
        body: res.status === 204 ? null : ((await res.json()) as Record<string, unknown>),
      };
    },
    { method, path, body: options.body, csrf: options.csrf ?? false },
  );
}

/**
 * Writes what a sign-in test's query server reads besides Dex into `dir`: a keys file with one root key of `tenant`
 * (the machines' way in, holding `rootKey`'s hash and `rootScopes`) and a roles file mapping Dex groups to the
 * tenant's roles.
 */
export function writeSignInFiles(
  dir: string,
  options: {
    tenant: string;
    rootKey: string;
    rootScopes: readonly string[];
    groups: Partial<Record<'viewer' | 'operator' | 'admin', readonly string[]>>;
  },
): { keysFile: string; rolesFile: string } {
  const { tenant, rootKey, rootScopes, groups } = options;
  const keysFile = join(dir, 'api-keys.json');
  const root = { name: 'root', tenant, sha256: hashApiKey(rootKey), scopes: rootScopes };
  writeFileSync(keysFile, JSON.stringify({ keys: [root] }));
  const rolesFile = join(dir, 'roles.yaml');
  const roleLines = Object.entries(groups).map(([role, names]) => `      ${role}: [${names.join(', ')}]\n`);
  writeFileSync(rolesFile, `tenants:\n  - tenant: ${tenant}\n    groups:\n${roleLines.join('')}`);
  return { keysFile, rolesFile };
}

/**
 * The environment of a query server on loopback `port` that signs people in through `dex`: its data directory, key
 * and roles files, dashboard assets, the OIDC client (with Dex's secret, unless `extra` names a secret file) and
 * plain HTTP allowed; `extra` adds or overrides keys.
 */
export function signInServerEnv(
  options: {
    dir: string;
    port: number;
    dex: DexServer;
    keysFile: string;
    rolesFile: string;
    dashboardDir: string;
  },
  extra: Record<string, string> = {},
): Record<string, string> {
  const { dir, port, dex, keysFile, rolesFile, dashboardDir } = options;
  return {
    GRAVIX_DATA_DIR: dir,
    GRAVIX_API_KEYS_FILE: keysFile,
    GRAVIX_QUERY_HOST: '127.0.0.1',
    GRAVIX_QUERY_PORT: String(port),
    GRAVIX_QUERY_METRICS_PORT: '0',
    GRAVIX_DASHBOARD_DIR: dashboardDir,
    GRAVIX_OIDC_ISSUER: dex.issuer,
    GRAVIX_OIDC_CLIENT_ID: dex.clientId,
    ...(extra['GRAVIX_OIDC_CLIENT_SECRET_FILE'] === undefined && {
      GRAVIX_OIDC_CLIENT_SECRET: dex.clientSecret,
    }),
    GRAVIX_OIDC_REDIRECT_URL: `http://127.0.0.1:${port}/api/v1/auth/callback`,
    GRAVIX_OIDC_ROLES_FILE: rolesFile,
    GRAVIX_OIDC_ALLOW_HTTP: 'true',
    ...extra,
  };
}

/** Closes what a sign-in test started, in reverse: its browser contexts, Chromium, the query servers, Dex. */
export async function stopSignInParts(parts: {
  contexts: readonly BrowserContext[];
  browser: Browser | undefined;
  servers: readonly ({ stop(): Promise<void> } | undefined)[];
  dex: DexServer | undefined;
}): Promise<void> {
  for (const c of parts.contexts) await c.close().catch(() => undefined);
  await parts.browser?.close();
  for (const server of parts.servers) await server?.stop();
  await parts.dex?.stop();
}
