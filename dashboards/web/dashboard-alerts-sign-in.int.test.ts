import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { pino } from 'pino';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import type { Silence } from '../../workers/alert/domain/silence.js';
import { DuckDbQueryEngine } from '../../workers/query/adapters/duckdb-query-engine.js';
import { startQueryServer, type QueryServer } from '../../workers/query/app/query-server.js';
import { loadQueryConfig } from '../../workers/query/config.js';
import {
  pageFetch,
  signInServerEnv,
  signInThroughDex,
  stopSignInParts,
  writeSignInFiles,
} from '../../workers/query/testing/dex-sign-in.js';
import { launchChromium } from '../../testbin/harness/chromium.js';
import { startDex, type DexServer } from '../../testbin/harness/dex-server.js';
import { freePort } from '../../testbin/harness/free-port.js';
import {
  ALERT_CATCH_UP,
  HISTORY_MINUTES,
  alertTestFacts,
  alertTestRules,
} from './testing/alert-incident-dataset.js';
import { buildDashboardAssets, saveScreenshot } from './testing/dashboard-harness.js';
import { MINUTE, TENANT } from './testing/incident-dataset.js';
import { evaluateAlerts } from './testing/real-alert-evaluator.js';
import { rollUp } from './testing/real-dashboard-harness.js';

const users = {
  operator: { email: 'olga@example.com', username: 'olga', groups: [`${TENANT}-operators`] },
  viewer: { email: 'vic@example.com', username: 'vic', groups: [`${TENANT}-viewers`] },
};
const ADMIN_KEY = 'alerts-sign-in-admin-key';

/**
 * Silences from the dashboard by people, not keys: Dex (real, static users and groups) in front of the real query
 * server (`gravix query`'s startQueryServer with OIDC), over facts rolled up by the real rollup and judged by the
 * real alert evaluator, in Debian Chromium. The operator group's member silences with the session cookie and its
 * CSRF token; the viewer group's member gets no button and a 403 from the API.
 */
describe('silences by people signed in through Dex (Chromium, real query server, real evaluator)', () => {
  let dex: DexServer;
  let query: QueryServer;
  let browser: Browser;
  let url: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-alerts-signin-'));
    const store = new LocalObjectStore(join(dir, 'store'));
    // The real clock: the rollup's heartbeat tells the evaluator which minutes are complete.
    const nowMinute = Math.floor(Date.now() / MINUTE) * MINUTE;
    await rollUp(store, alertTestFacts(nowMinute, -HISTORY_MINUTES, 0), undefined);
    const engine = await DuckDbQueryEngine.open(join(dir, 'store'));
    await evaluateAlerts(store, engine, alertTestRules(), {
      catchUpMinutes: ALERT_CATCH_UP + 10,
      resumeAfter: nowMinute - (ALERT_CATCH_UP + 1) * MINUTE,
    });
    await engine.close();

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    dex = await startDex({ users: Object.values(users), redirectUris: [`${url}/api/v1/auth/callback`] });
    const { keysFile, rolesFile } = writeSignInFiles(dir, {
      tenant: TENANT,
      rootKey: ADMIN_KEY,
      rootScopes: ['query', 'operator', 'admin'],
      groups: { operator: [`${TENANT}-operators`], viewer: [`${TENANT}-viewers`] },
    });
    const config = loadQueryConfig(
      signInServerEnv({ dir, port, dex, keysFile, rolesFile, dashboardDir: buildDashboardAssets() }),
    );
    query = await startQueryServer(config, store, pino({ level: 'silent' }));
    browser = await launchChromium();
  }, 600_000);

  afterAll(() => stopSignInParts({ contexts, browser, servers: [query], dex }));

  const signIn = (user: { email: string }): Promise<Page> =>
    signInThroughDex(browser, url, user.email, contexts);

  const silences = async () => {
    const res = await fetch(`${url}/api/v1/alert-silences`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    return ((await res.json()) as { silences: Silence[] }).silences;
  };

  /** The alerts page, once the page knows who it acts as (the silence controls depend on it). */
  const openAlerts = async (page: Page) => {
    await page.goto(`${url}/#alerts`);
    await page.waitForSelector('#alerts-page:not([hidden]) #alerts-firing table');
  };

  it('lets an operator-group user silence a firing alert and expire it, with the session cookie and CSRF token', async () => {
    const page = await signIn(users.operator);
    const changes: Request[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/v1/alert-silences') && r.method() !== 'GET')
        changes.push(r);
    });
    await openAlerts(page);
    await page.waitForSelector('#silences-card:not([hidden]) #silences-table p');
    expect(await page.textContent('#who')).toBe(`user:${users.operator.email} (operator) · ${TENANT}`);
    await page.click('#alerts-firing tr[data-rule="payments-errors"] button.silence-button');
    await page.waitForSelector('#silence-form:not([hidden])');
    await page.selectOption('#silence-duration', '1h');
    await page.fill('#silence-comment', 'rolling back the card processor');
    await page.click('#silence-form button[type="submit"]');
    await page.waitForFunction(() =>
      document.querySelector('#silence-status')?.textContent?.startsWith('Silenced'),
    );
    await page.waitForSelector('#silences-table table');
    const [silence] = await silences();
    expect([silence!.matchers, silence!.comment, silence!.createdBy]).toEqual([
      { rule: 'payments-errors', service: 'payments', method: 'POST', path: '/charge' },
      'rolling back the card processor',
      `user:${users.operator.email}`,
    ]);
    await saveScreenshot(page, 'alerts-silence-signed-in');

    await page.click(`#silences-table button[data-expire="${silence!.id}"]`);
    await page.waitForFunction(
      () => document.querySelector('#silences-table')?.textContent === 'No silence in force.',
    );
    expect((await silences()).filter((s) => s.expiresAt > Date.now())).toEqual([]);

    // Both changes went with the session's cookie and its CSRF token, and without any key.
    const me = await pageFetch(page, 'GET', '/api/v1/whoami');
    const sent = await Promise.all(
      changes.map(async (r) => ({
        method: r.method(),
        headers: await r.allHeaders(),
        status: (await r.response())?.status(),
      })),
    );
    expect(sent.map((r) => [r.method, r.status])).toEqual([
      ['POST', 201],
      ['DELETE', 204],
    ]);
    for (const r of sent) {
      expect(r.headers['x-csrf-token']).toBe(me.body?.['csrfToken']);
      expect(r.headers['cookie']).toMatch(/gravix/);
      expect(r.headers['authorization']).toBeUndefined();
    }
    // The token is what makes it pass: the same session without it is refused, as a forged request would be.
    const body = { rule: 'payments-errors', expiresAt: Date.now() + 3_600_000, comment: 'forged' };
    expect(await pageFetch(page, 'POST', '/api/v1/alert-silences', { body })).toMatchObject({
      status: 403,
      body: { error: { code: 'CSRF_TOKEN_INVALID' } },
    });
    expect((await silences()).filter((s) => s.expiresAt > Date.now())).toEqual([]);
  });

  it('shows a viewer-group user no silence controls, and the API answers 403 even with the CSRF token', async () => {
    const page = await signIn(users.viewer);
    await openAlerts(page);
    await page.waitForFunction(() => document.querySelector('#who')?.textContent?.includes('(viewer)'));
    expect(await page.textContent('#who')).toBe(`user:${users.viewer.email} (viewer) · ${TENANT}`);
    // The firing alert is listed, without a button; the silences card stays hidden.
    expect(
      await page.$$eval('#alerts-firing tbody tr', (rows) =>
        rows.map((r) => (r as HTMLElement).dataset['rule']),
      ),
    ).toEqual(['payments-errors']);
    expect(await page.$$eval('button.silence-button', (b) => b.length)).toBe(0);
    expect(await page.isHidden('#silences-card')).toBe(true);
    const body = { rule: 'payments-errors', expiresAt: Date.now() + 3_600_000, comment: 'viewer' };
    const answers = [
      await pageFetch(page, 'GET', '/api/v1/alert-silences'),
      await pageFetch(page, 'POST', '/api/v1/alert-silences', { body, csrf: true }),
      await pageFetch(page, 'DELETE', '/api/v1/alert-silences/any', { csrf: true }),
    ];
    expect(answers.map((a) => [a.status, (a.body?.['error'] as { code: string }).code])).toEqual([
      [403, 'FORBIDDEN'],
      [403, 'FORBIDDEN'],
      [403, 'FORBIDDEN'],
    ]);
    expect(await silences()).toEqual([]);
    await saveScreenshot(page, 'alerts-viewer-signed-in');
  });
});
