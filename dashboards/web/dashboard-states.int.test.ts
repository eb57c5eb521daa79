import {
  saveScreenshot,
  startDashboardHarness,
  waitForData,
  type DashboardHarness,
} from './testing/dashboard-harness.js';

describe('dashboard states a team can trust (Chromium against the fixture API)', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await startDashboardHarness();
  });
  afterEach(() => {
    h.fixture.mode = 'data';
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows an empty state with a curl example for the first event, then the data once it exists', async () => {
    h.fixture.mode = 'empty';
    const page = await h.open();
    await page.waitForSelector('#empty-state:not([hidden])');
    expect(await page.isVisible('#dashboard')).toBe(false);
    expect(await page.textContent('#freshness')).toBe('No data yet');
    // The fixture names no ingest port: the curl posts to the page's own origin (as behind an Ingress).
    const curl = (await page.textContent('#curl-example')) ?? '';
    expect(curl).toMatch(/^curl -X POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/facts \\\n/);
    expect(curl).toContain(`${h.fixture.url}/api/v1/facts`);
    expect(curl).toContain("-H 'Authorization: Bearer <YOUR_INGEST_KEY>'");
    const body = JSON.parse(/-d '(.*)'$/.exec(curl)![1]!) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'event_id',
      'timestamp',
      'service',
      'method',
      'path',
      'status_code',
      'latency_ms',
    ]);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.click('#copy-curl');
    await page.waitForFunction(() => document.querySelector('#copy-status')?.textContent === 'Copied.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(curl);
    await saveScreenshot(page, 'empty');

    h.fixture.mode = 'data';
    await page.click('#refresh-now');
    await waitForData(page);
    expect(await page.isVisible('#empty-state')).toBe(false);
  });

  it('shows an error banner while the API is unreachable, keeps the last data, and clears it on recovery', async () => {
    const page = await h.open();
    await waitForData(page);
    h.fixture.mode = 'down';
    await page.click('#refresh-now');
    await page.waitForSelector('#banner:not([hidden])');
    expect(await page.getAttribute('#banner', 'role')).toBe('alert');
    expect(await page.textContent('#banner-text')).toMatch(
      /^Cannot reach the Gravix query API\. Retrying every 5 s\. Showing data from /,
    );
    expect(await page.locator('#endpoints-table tbody tr').count()).toBeGreaterThan(0);
    await saveScreenshot(page, 'api-down');

    h.fixture.mode = 'data';
    // No click: the retry timer must bring the page back by itself.
    await page.waitForSelector('#banner', { state: 'hidden', timeout: 15_000 });
    expect(await page.textContent('#banner-text')).toBe('');
  });

  it('names the error code and request id when the API answers with an error body', async () => {
    h.fixture.mode = 'error500';
    const page = await h.open();
    await page.waitForSelector('#banner:not([hidden])');
    const text = (await page.textContent('#banner-text')) ?? '';
    expect(text).toMatch(
      /^The query API failed: The query engine failed \(QUERY_FAILED, request id [0-9a-f-]{36}\)\. Retrying every 5 s\.$/,
    );
    expect(await page.textContent('#freshness')).toBe('Data freshness unknown');
  });

  it('warns when the newest data is more than 10 minutes old instead of claiming to be live', async () => {
    h.fixture.mode = 'stale';
    const page = await h.open();
    await waitForData(page);
    // The newest minute is 15 minutes before the fixture started; seconds into the minute make it 14 or 15.
    expect(await page.textContent('#freshness')).toMatch(
      /^Rollup ran 1[45] min ago — check the rollup worker · newest request 1[45] min ago$/,
    );
    expect(await page.getAttribute('#freshness', 'class')).toContain('stale');
    expect(await page.getAttribute('#freshness', 'aria-live')).toBe('polite');
    await saveScreenshot(page, 'stale');
  });

  it('asks for a token on 401, rejects a wrong one, stores the right one and forgets it on request', async () => {
    const page = await h.open({ token: null });
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.isVisible('#main')).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('login-token');
    expect(await page.textContent('#freshness')).toBe('');
    await saveScreenshot(page, 'login');

    await page.fill('#login-token', 'wrong-token');
    await page.press('#login-token', 'Enter');
    await page.waitForFunction(() => document.querySelector('#login-error')?.textContent !== '');
    expect(await page.textContent('#login-error')).toBe(
      'The token was rejected: Missing or invalid bearer token',
    );

    await page.fill('#login-token', h.fixture.token);
    await page.click('#login-form button[type="submit"]');
    await waitForData(page);
    expect(await page.isVisible('#login')).toBe(false);
    expect(await page.evaluate(() => localStorage.getItem('gravix.token'))).toBe(h.fixture.token);

    await page.reload();
    await waitForData(page);
    expect(await page.isVisible('#login')).toBe(false);

    await page.click('#logout');
    expect(await page.isVisible('#login')).toBe(true);
    expect(await page.evaluate(() => localStorage.getItem('gravix.token'))).toBeNull();
  });

  it('shows loading states until the first response arrives', async () => {
    const page = await h.open();
    await waitForData(page);
    const context = page.context();
    // The endpoints answer is held until the loading state has been checked: a fixed delay raced the page's own
    // start-up on a loaded machine (the data could arrive before the first check).
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await context.route('**/api/v1/endpoints*', async (route) => {
      await held;
      await route.continue();
    });
    const slow = await context.newPage();
    await slow.goto(page.url());
    await slow.waitForSelector('#card-latency[aria-busy="true"]');
    expect(await slow.textContent('#loading')).toBe('Loading…');
    expect(await slow.textContent('#card-latency')).toBe('Loading…');
    release();
    await waitForData(slow);
    // The status line clears once the overview and the cardinality panel, loaded after the charts, are in too.
    await slow.waitForFunction(() => document.querySelector('#loading')?.textContent === '');
    expect(await slow.getAttribute('#card-latency', 'aria-busy')).toBeNull();
  });
});
