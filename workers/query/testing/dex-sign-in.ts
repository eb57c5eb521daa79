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
