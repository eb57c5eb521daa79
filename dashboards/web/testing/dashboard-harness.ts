import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../../testbin/harness/chromium.js';
import { repoPath } from '../../../testbin/harness/testbin-paths.js';
import { dashboardAssetsDir } from '../index.js';
import { FixtureApi, type RecordedRequest } from './fixture-api.js';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the dashboard with its real build script, so the tests exercise the assets that ship. */
export function buildDashboardAssets(): string {
  execFileSync(process.execPath, [join(webDir, 'build.mjs')], { stdio: 'inherit' });
  return dashboardAssetsDir();
}

export interface DashboardHarness {
  fixture: FixtureApi;
  browser: Browser;
  open(options?: OpenOptions): Promise<Page>;
  /**
   * The API requests `page` sent, oldest first. Per page, not the fixture's log: pages of earlier tests stay open
   * and auto-refresh, and one load sends several requests of a kind (the overview's sparklines are timeseries calls).
   */
  requests(page: Page, resource?: string): RecordedRequest[];
  /** The newest request `page` sent for `resource` whose parameters `matches`. */
  lastRequest(
    page: Page,
    resource: string,
    matches?: (query: Record<string, string>) => boolean,
  ): RecordedRequest | undefined;
  close(): Promise<void>;
}

export interface OpenOptions {
  search?: string;
  /** Token put in localStorage before the page loads; null for a first visit without one. */
  token?: string | null;
  viewport?: { width: number; height: number };
  /** Runs on the new page before it navigates: a clock, held-back routes, init scripts, emulated media. */
  beforeLoad?: (page: Page) => Promise<void>;
  /** How far the navigation goes before open() returns (default `load`; `commit` while a script is held back). */
  waitUntil?: 'commit' | 'domcontentloaded' | 'load';
}

export async function startDashboardHarness(): Promise<DashboardHarness> {
  const fixture = new FixtureApi({ assetsDir: buildDashboardAssets() });
  await fixture.start();
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const sent = new WeakMap<Page, RecordedRequest[]>();
  const requests = (page: Page, resource?: string) =>
    (sent.get(page) ?? []).filter((r) => resource === undefined || r.resource === resource);
  return {
    fixture,
    browser,
    async open(options = {}) {
      // Pages of earlier tests keep auto-refreshing against the one fixture server; with a dozen of them its
      // answers slowed until later tests timed out. A test uses at most its last two pages: close the rest.
      while (contexts.length > 1)
        await contexts
          .shift()!
          .close()
          .catch(() => undefined);
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1280, height: 900 },
      });
      contexts.push(context);
      const token = options.token === undefined ? fixture.token : options.token;
      if (token !== null) {
        await context.addInitScript((t) => {
          // Only seed a first visit: a later logout must stay logged out.
          if (!sessionStorage.getItem('seeded')) {
            localStorage.setItem('gravix.token', t);
            sessionStorage.setItem('seeded', '1');
          }
        }, token);
      }
      const page = await context.newPage();
      // Playwright's 30 s default for a navigation was passed twice at load 50-60 (the page and its scripts still
      // loading, nothing wrong): a slow machine must make a test slow, not red.
      page.setDefaultNavigationTimeout(90_000);
      await options.beforeLoad?.(page);
      const log: RecordedRequest[] = [];
      sent.set(page, log);
      page.on('request', (r) => {
        const url = new URL(r.url());
        if (!url.pathname.startsWith('/api/v1/')) return;
        log.push({
          resource: url.pathname.slice('/api/v1/'.length),
          query: Object.fromEntries(url.searchParams),
        });
      });
      await page.goto(`${fixture.url}/${options.search ?? ''}`, { waitUntil: options.waitUntil ?? 'load' });
      return page;
    },
    requests,
    lastRequest(page, resource, matches = () => true) {
      return requests(page, resource)
        .filter((r) => matches(r.query))
        .at(-1);
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await fixture.stop();
    },
  };
}

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const dir = repoPath('test-artifacts');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `dashboard-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Waits until the first endpoint table is drawn, i.e. a full load finished. */
export async function waitForData(page: Page): Promise<void> {
  await page.waitForSelector('#endpoints-table table');
  await page.waitForSelector('#card-latency svg.chart');
}

/**
 * Waits until the all-services overview (loaded after the charts, with one sparkline timeseries call per service)
 * is drawn, so its requests are not mistaken for the ones a later action causes.
 */
export async function waitForOverview(page: Page): Promise<void> {
  await page.waitForSelector('#overview:not([hidden]) #overview-table table');
}
