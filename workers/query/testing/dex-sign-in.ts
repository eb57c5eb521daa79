import type { Browser, BrowserContext, Page } from 'playwright-core';
import { dexPassword } from '../../../testbin/harness/dex-server.js';

/**
 * Opens the dashboard at `url`, follows its sign-in button to Dex and signs in there as `email` (Dex's password
 * database signs in by email), like a person would; the page is back on the dashboard's origin. The context goes
 * into `contexts` for the caller to close.
 */
export async function signInThroughDex(
  browser: Browser,
  url: string,
  email: string,
  contexts: BrowserContext[],
): Promise<Page> {
  const context = await browser.newContext({ timezoneId: 'UTC' });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${url}/`);
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
