import type { Page } from 'playwright-core';
import type { RawFact } from '../../workers/domain/raw-record.js';
import type { SavedView } from '../../workers/query/domain/saved-views-doc.js';
import { saveScreenshot, waitForData } from './testing/dashboard-harness.js';
import { MINUTE, TENANT } from './testing/incident-dataset.js';
import { OPERATOR_KEY, startRealDashboard, type RealDashboard } from './testing/real-dashboard-harness.js';

/** Two services with two endpoints each, a request every 20 s over the last 90 minutes. */
function buildFacts(now: number): RawFact[] {
  const endpoints = [
    ['checkout', 'POST', '/api/v1/orders'],
    ['checkout', 'GET', '/api/v1/cart'],
    ['payments', 'POST', '/api/v1/charges'],
    ['payments', 'GET', '/api/v1/charges/:id'],
  ] as const;
  const facts: RawFact[] = [];
  for (let t = now - 90 * MINUTE; t < now - MINUTE; t += 20_000)
    for (const [service, method, path] of endpoints)
      facts.push({
        kind: 'fact',
        tenant: TENANT,
        event_id: `f${facts.length}`,
        ts: t,
        service,
        method,
        path,
        status_code: facts.length % 17 === 0 ? 503 : 200,
        latency_ms: 20 + (facts.length % 50),
      });
  return facts;
}

/**
 * Saved views in Debian Chromium against the real query server (its views API over the real object store): an
 * operator saves the drill-down they are looking at, a viewer opens it from the list and lands on the same page,
 * and renames and deletes show for operators only.
 */
describe('saved views (Chromium against the real query server)', () => {
  let d: RealDashboard;
  beforeAll(async () => {
    const now = Date.now();
    d = await startRealDashboard(buildFacts(now), now);
  }, 300_000);
  afterAll(async () => {
    await d?.close();
  });

  const savedNames = (page: Page) =>
    page.$$eval('#saved-view-select option', (options) =>
      options.filter((o) => (o as HTMLOptionElement).value !== '').map((o) => o.textContent),
    );

  it('lets an operator save the drill-down on screen and a viewer open it from the list', async () => {
    const drill =
      '?service=payments&method=POST&path=%2Fapi%2Fv1%2Fcharges&range=6h&compare=7d&sort=p95&tz=utc';
    const ops = await d.open({ search: drill, token: OPERATOR_KEY });
    await waitForData(ops);
    await ops.waitForSelector('#saved-views:not([hidden]) #saved-view-form:not([hidden])');
    await ops.fill('#saved-view-name', 'Payments charges, week over week');
    await ops.click('#saved-view-save');
    await ops.waitForFunction(() =>
      document.querySelector('#saved-view-status')?.textContent?.startsWith('Saved'),
    );
    expect(await ops.textContent('#saved-view-status')).toBe('Saved “Payments charges, week over week”.');
    await saveScreenshot(ops, 'saved-views-operator');
    // The server holds what the page showed, as typed fields.
    const stored = await d.api<{ views: SavedView[] }>('/api/v1/views');
    expect(stored.views.map((v) => [v.name, v.createdBy, v.view])).toEqual([
      [
        'Payments charges, week over week',
        'key:operator',
        {
          range: '6h',
          service: 'payments',
          method: 'POST',
          path: '/api/v1/charges',
          compare: '7d',
          sort: 'p95',
          tz: 'utc',
        },
      ],
    ]);
    // The same name again is the API's refusal, in words.
    await ops.click('#saved-view-save');
    await ops.waitForFunction(() =>
      document.querySelector('#saved-view-status')?.classList.contains('field-error'),
    );
    expect(await ops.textContent('#saved-view-status')).toMatch(
      /^a view named .* exists; .*\(VIEW_NAME_TAKEN\)$/,
    );

    const viewer = await d.open();
    await waitForData(viewer);
    await viewer.waitForSelector('#saved-views:not([hidden])');
    expect(await viewer.isHidden('#saved-view-form')).toBe(true);
    expect(await viewer.isHidden('#saved-view-rename')).toBe(true);
    expect(await savedNames(viewer)).toEqual(['Payments charges, week over week']);
    await viewer.selectOption('#saved-view-select', { label: 'Payments charges, week over week' });
    await viewer.waitForURL(/service=payments&method=POST&path=%2Fapi%2Fv1%2Fcharges&range=6h&compare=7d/);
    await viewer.waitForFunction(() =>
      document.querySelector('#card-latency h2')?.textContent?.includes('/api/v1/charges'),
    );
    await waitForData(viewer);
    expect(await viewer.inputValue('#range-select')).toBe('6h');
    expect(await viewer.inputValue('#compare-select')).toBe('7d');
    expect(await viewer.inputValue('#tz-select')).toBe('utc');
    await saveScreenshot(viewer, 'saved-views-opened');
    // Back returns to where the viewer was before opening the view.
    await viewer.goBack();
    await viewer.waitForFunction(() => !window.location.search.includes('service='));
  });

  it('lets an operator rename and delete a view, and keeps the list in name order', async () => {
    const ops = await d.open({ search: '?range=24h&service=checkout', token: OPERATOR_KEY });
    await waitForData(ops);
    await ops.waitForSelector('#saved-views:not([hidden])');
    await ops.fill('#saved-view-name', 'Checkout 24h');
    await ops.click('#saved-view-save');
    await ops.waitForFunction(
      () => document.querySelector('#saved-view-status')?.textContent === 'Saved “Checkout 24h”.',
    );
    expect(await savedNames(ops)).toEqual(['Checkout 24h', 'Payments charges, week over week']);
    expect(await ops.inputValue('#saved-view-select')).not.toBe('');

    await ops.fill('#saved-view-name', 'Zz checkout, last day');
    await ops.click('#saved-view-rename');
    await ops.waitForFunction(() =>
      document.querySelector('#saved-view-status')?.textContent?.startsWith('Renamed'),
    );
    expect(await savedNames(ops)).toEqual(['Payments charges, week over week', 'Zz checkout, last day']);

    ops.once('dialog', (dialog) => void dialog.accept());
    await ops.click('#saved-view-delete');
    await ops.waitForFunction(() =>
      document.querySelector('#saved-view-status')?.textContent?.startsWith('Deleted'),
    );
    expect(await savedNames(ops)).toEqual(['Payments charges, week over week']);
    const stored = await d.api<{ views: SavedView[] }>('/api/v1/views');
    expect(stored.views.map((v) => v.name)).toEqual(['Payments charges, week over week']);

    const phone = await d.open({ viewport: { width: 390, height: 844 }, token: OPERATOR_KEY });
    await waitForData(phone);
    await phone.waitForSelector('#saved-views:not([hidden])');
    await saveScreenshot(phone, 'saved-views-mobile');
  });
});
