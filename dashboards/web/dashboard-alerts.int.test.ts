import type { Page } from 'playwright-core';
import type { AlertsResponse } from '../../workers/alert/http/alerts-view.js';
import { saveScreenshot, waitForData } from './testing/dashboard-harness.js';
import {
  ALERT_CATCH_UP,
  HISTORY_MINUTES,
  ONGOING_INCIDENT,
  RESOLVED_INCIDENT,
  alertTestDeploy,
  alertTestFacts,
  alertTestRules,
} from './testing/alert-incident-dataset.js';
import { MINUTE } from './testing/incident-dataset.js';
import { evaluateAlerts } from './testing/real-alert-evaluator.js';
import {
  OPERATOR_KEY,
  rollUp,
  startRealDashboard,
  type RealDashboard,
} from './testing/real-dashboard-harness.js';
import type { Silence } from '../../workers/alert/domain/silence.js';

const since = (t: number) =>
  new Intl.DateTimeFormat('en-GB', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: 'UTC',
  }).format(t);

const texts = (page: Page, selector: string) =>
  page.$$eval(selector, (els) => els.map((e) => (e.textContent ?? '').trim()));

/**
 * Alerts in Debian Chromium against the real query server over data rolled up by the real rollup, with decisions
 * made by the real alert evaluator (DuckDB): a payments incident that fired and resolved, one firing now, and an
 * availability SLO eating its budget. The page's banner, alerts page, chart spans and silences are checked against
 * what GET /api/v1/alerts answers.
 */
describe('alerts in the dashboard (Chromium, real query server, real alert evaluator)', () => {
  let d: RealDashboard;
  let nowMinute: number;
  // Every minute of the history judged, as by a worker that has run since before it.
  const evaluation = () => ({
    catchUpMinutes: ALERT_CATCH_UP + 10,
    resumeAfter: nowMinute - (ALERT_CATCH_UP + 1) * MINUTE,
  });
  const alerts = (query = '') => d.api<AlertsResponse>(`/api/v1/alerts${query}`);

  beforeAll(async () => {
    const now = Date.now();
    nowMinute = Math.floor(now / MINUTE) * MINUTE;
    d = await startRealDashboard([], now, { alerts: true });
    // The real clock: the rollup's heartbeat then tells the evaluator which minutes are complete.
    const records = [...alertTestFacts(nowMinute, -HISTORY_MINUTES, 0), alertTestDeploy(nowMinute)];
    await rollUp(d.store, records, undefined);
    await evaluateAlerts(d.store, d.engine, alertTestRules(), evaluation());
  }, 600_000);
  afterAll(async () => {
    await d?.close();
  });

  it('judged the incidents: one firing since the ongoing incident began, one fired and resolved', async () => {
    const answer = await alerts(`?from=${nowMinute - 3 * 3_600_000}`);
    expect(answer.firing.map((a) => [a.rule, a.service, a.method, a.path, a.since])).toEqual([
      ['payments-errors', 'payments', 'POST', '/charge', nowMinute + ONGOING_INCIDENT.from * MINUTE],
    ]);
    const spans = answer.history.map((e) => [e.kind, e.startsAt]);
    expect(spans).toEqual(
      expect.arrayContaining([
        ['firing', nowMinute + RESOLVED_INCIDENT.from * MINUTE],
        ['resolved', nowMinute + RESOLVED_INCIDENT.from * MINUTE],
        ['firing', nowMinute + ONGOING_INCIDENT.from * MINUTE],
      ]),
    );
    expect(answer.budgets.map((b) => b.service).sort()).toEqual(['checkout', 'search']);
  });

  it('shows a banner on every page while an alert fires, linked to the series’ charts', async () => {
    const answer = await alerts();
    const firing = answer.firing[0]!;
    const page = await d.open({ search: '?service=checkout' });
    await waitForData(page);
    await page.waitForSelector('#alert-banner:not([hidden])');
    expect(await page.textContent('#alert-banner-heading')).toBe('1 alert firing');
    const [line] = await texts(page, '#alert-banner-list li');
    expect(line).toMatch(
      new RegExp(
        `^payments-errors · payments POST /charge: ${firing.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} vs ` +
          `${firing.expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} · firing since ${since(firing.since)} \\(\\d+ min ago\\)$`,
      ),
    );
    // The dashboard's own error banner stays out of it.
    expect(await page.isHidden('#banner')).toBe(true);
    await saveScreenshot(page, 'alerts-banner');

    await page.click('#alert-banner-list a');
    await page.waitForURL(/\?service=payments&method=POST&path=%2Fcharge(&range=\w+)?$/);
    await page.waitForFunction(() =>
      document.querySelector('#card-latency h2')?.textContent?.includes('/charge'),
    );
    expect(await page.isVisible('#alert-banner')).toBe(true);

    const phone = await d.open({ viewport: { width: 390, height: 844 } });
    await waitForData(phone);
    await phone.waitForSelector('#alert-banner:not([hidden])');
    await saveScreenshot(phone, 'alerts-banner-mobile');
  });

  it('lists firing alerts, each rule’s last evaluation, the history with a time filter and error budgets', async () => {
    const page = await d.open();
    await waitForData(page);
    await page.waitForSelector('#alerts-link:not([hidden])');
    await page.click('#alerts-link');
    await page.waitForSelector('#alerts-page:not([hidden]) #alerts-history table');
    expect(await page.isHidden('#main')).toBe(true);
    // The banner is on this page too.
    expect(await page.isVisible('#alert-banner')).toBe(true);
    const answer = await alerts(`?from=${Date.now() - 86_400_000}`);

    expect(
      await page.$$eval('#alerts-firing tbody tr', (rows) =>
        rows.map((r) => (r as HTMLElement).dataset['series']),
      ),
    ).toEqual(['payments POST /charge']);
    const rules = await page.$$eval('#alerts-rules tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent)),
    );
    const rule = (name: string) => answer.rules.find((r) => r.rule === name)!;
    // Firing before quiet; each with the state, worst value and firing count the API (and kubectl) give.
    expect(rules.map((r) => [r[0], r[1], r[2], r[3]])).toEqual(
      ['payments-errors', 'availability'].map((name) => [
        name,
        rule(name).state,
        rule(name).value ?? '—',
        String(rule(name).firing),
      ]),
    );
    expect(rules.map((r) => r[1])).toEqual(['firing', 'inactive']);
    expect(rules.every((r) => r[5] === '')).toBe(true);

    // The history of the last 24 hours (the default), newest first, then of the last hour only.
    const kinds = () =>
      page.$$eval('#alerts-history tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset['kind']));
    expect(await kinds()).toEqual([...answer.history].sort((a, b) => b.at - a.at).map((e) => e.kind));
    expect(await kinds()).toEqual(['firing', 'resolved', 'firing']);
    await page.selectOption('#history-window', '1h');
    await page.waitForFunction(() => document.querySelectorAll('#alerts-history tbody tr').length === 1);
    expect(await kinds()).toEqual(['firing']);

    // One bar per SLO series, least budget left first, its fill as wide as the budget left (clamped to 0-100%).
    const bars = await page.$$eval('#alerts-budgets li', (items) =>
      items.map((li) => {
        const bar = li.querySelector('.budget-bar')!.getBoundingClientRect().width - 2;
        const fill = li.querySelector('.budget-fill')!.getBoundingClientRect().width;
        return {
          series: (li as HTMLElement).dataset['series'],
          remaining: Number((li as HTMLElement).dataset['remaining']),
          filled: Math.round((fill / bar) * 1000) / 10,
          text: li.querySelector('.budget-text')!.textContent,
        };
      }),
    );
    const expected = [...answer.budgets].sort((a, b) => a.budgetRemainingPct - b.budgetRemainingPct);
    expect(bars.map((b) => [b.series, b.remaining])).toEqual(
      expected.map((b) => [b.service, b.budgetRemainingPct]),
    );
    for (const b of bars) {
      expect(Math.abs(b.filled - Math.min(100, Math.max(0, b.remaining)))).toBeLessThanOrEqual(1);
      expect(b.text).toMatch(b.remaining > 0 ? /% of the error budget left$/ : /^budget spent \(.*% over\)$/);
    }
    await saveScreenshot(page, 'alerts-page');
    const phone = await d.open({ viewport: { width: 390, height: 844 }, search: '#alerts' });
    await phone.waitForSelector('#alerts-page:not([hidden]) #alerts-history table');
    await saveScreenshot(phone, 'alerts-page-mobile');

    // Back to the dashboard.
    await page.click('#alerts-page a[href="#"]');
    await page.waitForSelector('#main:not([hidden])');
  });

  /** The chart's x scale from its own axis: two tick labels (HH:MM, UTC) and their x. */
  const axisScale = async (page: Page, card: string, now: number) => {
    const ticks = await page.$$eval(`${card} svg.chart text.tick`, (els) =>
      els.map((e) => ({
        x: Number(e.getAttribute('x')),
        y: Number(e.getAttribute('y')),
        label: e.textContent,
      })),
    );
    // The time labels (HH:MM) of the x axis; the y axis' labels are values or latency bands.
    const xTicks = ticks
      .filter((t) => /^\d\d:\d\d$/.test(t.label ?? ''))
      .map((t) => {
        const [h, m] = (t.label ?? '').split(':').map(Number);
        // The tick's time: the instant with that UTC clock time in the 30 hours before now.
        let at = Math.floor(now / 86_400_000) * 86_400_000 + (h! * 60 + m!) * MINUTE;
        while (at > now + 3_600_000) at -= 86_400_000;
        return { x: t.x, at };
      });
    const first = xTicks[0]!;
    const last = xTicks.at(-1)!;
    return (t: number) => first.x + ((t - first.at) * (last.x - first.x)) / (last.at - first.at);
  };
  /** A chart's x scale from its own bars or heatmap cells: each element's x is its bucket start's (data-t). */
  const dataScale = async (page: Page, card: string) => {
    const points = await page.$$eval(`${card} [data-t]`, (els) =>
      els.map((e) => ({
        t: Number(e.getAttribute('data-t')),
        x: Number((e.tagName === 'rect' ? e : e.querySelector('rect'))?.getAttribute('x')),
      })),
    );
    const known = points.filter((p) => Number.isFinite(p.x)).sort((a, b) => a.t - b.t);
    const [first, last] = [known[0]!, known.at(-1)!];
    expect(last.t).toBeGreaterThan(first.t);
    return (t: number) => first.x + ((t - first.t) * (last.x - first.x)) / (last.t - first.t);
  };
  const bandsOf = (page: Page, card: string) =>
    page.$$eval(`${card} g.alert-band`, (groups) =>
      groups.map((g) => ({
        rule: g.getAttribute('data-rule'),
        startsAt: Number(g.getAttribute('data-starts-at')),
        endsAt: g.getAttribute('data-ends-at') === '' ? null : Number(g.getAttribute('data-ends-at')),
        x: Number(g.querySelector('rect')!.getAttribute('x')),
        right:
          Number(g.querySelector('rect')!.getAttribute('x')) +
          Number(g.querySelector('rect')!.getAttribute('width')),
        label: g.querySelector('text')?.textContent,
      })),
    );
  const colours = (page: Page) =>
    page.evaluate(() => ({
      band: getComputedStyle(document.querySelector('#card-error-rate .alert-band rect')!).fill,
      bandOpacity: Number(
        getComputedStyle(document.querySelector('#card-error-rate .alert-band rect')!).fillOpacity,
      ),
      bandEdgeDash: getComputedStyle(document.querySelector('#card-error-rate .alert-band line')!)
        .strokeDasharray,
      deploy: getComputedStyle(document.querySelector('#card-error-rate .marker-deploy line')!).stroke,
      errors: getComputedStyle(document.querySelector('#card-error-rate .series-errors')!).stroke,
      label: getComputedStyle(document.querySelector('#card-error-rate .alert-band text')!).fill,
    }));

  it('draws each alert’s span on its series’ charts at the API’s times, in both themes, switched with the markers', async () => {
    const now = Date.now();
    const answer = await alerts(`?from=${now - 7 * 3_600_000}`);
    const resolved = answer.history.find((e) => e.kind === 'resolved')!;
    const ongoing = answer.firing[0]!;
    const page = await d.open({ search: '?service=payments&method=POST&path=%2Fcharge&range=6h' });
    await waitForData(page);
    for (const card of ['#card-error-rate', '#card-latency', '#card-throughput', '#card-client-errors']) {
      await page.waitForFunction((c) => document.querySelectorAll(`${c} g.alert-band`).length === 2, card);
      const bands = await bandsOf(page, card);
      expect(bands.map((b) => [b.rule, b.startsAt, b.endsAt, b.label])).toEqual([
        ['payments-errors', resolved.startsAt, resolved.endsAt, 'payments-errors'],
        ['payments-errors', ongoing.since, null, 'payments-errors'],
      ]);
      const x = await axisScale(page, card, now);
      expect(Math.abs(bands[0]!.x - x(resolved.startsAt))).toBeLessThanOrEqual(1.5);
      expect(Math.abs(bands[0]!.right - x(resolved.endsAt!))).toBeLessThanOrEqual(1.5);
      expect(Math.abs(bands[1]!.x - x(ongoing.since))).toBeLessThanOrEqual(1.5);
      // Firing still: the band reaches the present (the newest rolled-up minute or later).
      expect(bands[1]!.right).toBeGreaterThanOrEqual(x(nowMinute - MINUTE) - 1.5);
      expect(await page.$$eval(`${card} .legend .swatch-alert`, (l) => l.length)).toBe(1);
    }
    // The bands lie behind the lines: first in the SVG after its title and description.
    expect(
      await page.$eval('#card-error-rate svg.chart', (svg) => svg.children[2]?.getAttribute('class')),
    ).toBe('alert-bands');
    const light = await colours(page);
    await saveScreenshot(page, 'alerts-bands');
    await page.selectOption('#theme-select', 'dark');
    await page.waitForFunction(() => document.documentElement.dataset['theme'] === 'dark');
    const dark = await colours(page);
    await saveScreenshot(page, 'alerts-bands-dark');
    for (const c of [light, dark]) {
      // A shaded band in its own colour, solid edges: not a deploy marker's line, not the errors' red, not dashed
      // like the partial bucket.
      expect(c.band).not.toBe(c.deploy);
      expect(c.band).not.toBe(c.errors);
      expect(c.bandOpacity).toBeLessThan(0.3);
      expect(c.bandEdgeDash).toBe('none');
      expect(c.label).toBe(c.band);
    }
    expect(dark.band).not.toBe(light.band);

    // Switched off and on like the other marker types (and kept in the URL).
    await page.uncheck('#marker-alert');
    await page.waitForURL(/hide=alert/);
    await waitForData(page);
    await page.waitForFunction(() => document.querySelectorAll('g.alert-band').length === 0);
    expect(await page.$$eval('#card-error-rate .marker-deploy', (m) => m.length)).toBe(1);
    await page.check('#marker-alert');
    await page.waitForFunction(() => document.querySelectorAll('#card-error-rate g.alert-band').length === 2);

    // The service's page shows its endpoint's spans, named by the endpoint; another service's page none.
    const service = await d.open({ search: '?service=payments&range=6h' });
    await waitForData(service);
    await service.waitForFunction(
      () => document.querySelectorAll('#card-error-rate g.alert-band').length === 2,
    );
    expect((await bandsOf(service, '#card-error-rate')).map((b) => b.label)).toEqual([
      'payments-errors · payments POST /charge',
      'payments-errors · payments POST /charge',
    ]);
    const other = await d.open({ search: '?service=checkout&range=6h' });
    await waitForData(other);
    await other.waitForSelector('#alert-banner:not([hidden])');
    expect(await other.$$eval('g.alert-band', (b) => b.length)).toBe(0);
    const phone = await d.open({
      search: '?service=payments&method=POST&path=%2Fcharge&range=6h',
      viewport: { width: 390, height: 844 },
    });
    await waitForData(phone);
    await phone.waitForSelector('#card-error-rate g.alert-band');
    await saveScreenshot(phone, 'alerts-bands-mobile');
  });

  it('draws the spans on the status bars (behind them) and over the latency heatmap, at the API’s times on their own axes', async () => {
    const now = Date.now();
    const answer = await alerts(`?from=${now - 7 * 3_600_000}`);
    const resolved = answer.history.find((e) => e.kind === 'resolved')!;
    const ongoing = answer.firing[0]!;
    for (const [search, label] of [
      ['?service=payments&method=POST&path=%2Fcharge&range=6h', 'payments-errors'],
      ['?service=payments&range=6h', 'payments-errors · payments POST /charge'],
    ] as const) {
      const page = await d.open({ search });
      await waitForData(page);
      for (const card of ['#card-status', '#card-latency-heatmap']) {
        await page.waitForFunction((c) => document.querySelectorAll(`${c} g.alert-band`).length === 2, card);
        const bands = await bandsOf(page, card);
        expect(bands.map((b) => [b.rule, b.startsAt, b.endsAt, b.label])).toEqual([
          ['payments-errors', resolved.startsAt, resolved.endsAt, label],
          ['payments-errors', ongoing.since, null, label],
        ]);
        // The chart's own x scale, read from its bars or cells (each at its bucket's start), not the line charts'.
        const x = await dataScale(page, card);
        expect(Math.abs(bands[0]!.x - x(resolved.startsAt))).toBeLessThanOrEqual(1.5);
        expect(Math.abs(bands[0]!.right - x(resolved.endsAt!))).toBeLessThanOrEqual(1.5);
        expect(Math.abs(bands[1]!.x - x(ongoing.since))).toBeLessThanOrEqual(1.5);
        expect(bands[1]!.right).toBeGreaterThanOrEqual(x(nowMinute - MINUTE) - 1.5);
      }
      // The status bars stand in front of the bands; the bands lie over the heatmap's cells (the cells' shading
      // would hide them) and let the pointer through: the cell under a band still answers the hover read-out.
      expect(
        await page.$eval('#card-status svg.chart', (svg) => svg.children[2]?.getAttribute('class')),
      ).toBe('alert-bands');
      expect(await page.$$eval('#card-status .legend .swatch-alert', (l) => l.length)).toBe(1);
      expect(
        await page.$eval('#card-latency-heatmap svg.chart', (svg) =>
          svg.lastElementChild?.getAttribute('class'),
        ),
      ).toBe('alert-bands alert-bands-over');
      const cell = await page.$$eval(
        '#card-latency-heatmap rect.heat-cell',
        (cells, since) => {
          const inside = cells.find((c) => Number((c as SVGElement).dataset['t']) >= since);
          return inside ? [...inside.parentElement!.children].indexOf(inside) + 1 : null;
        },
        ongoing.since,
      );
      expect(cell).not.toBeNull();
      const target = `#card-latency-heatmap svg.chart > rect.heat-cell:nth-child(${cell})`;
      await page.hover(target);
      expect(await page.textContent('#card-latency-heatmap .heatmap-readout')).toBe(
        await page.$eval(target, (c) => c.querySelector('title')!.textContent),
      );
      if (search.includes('path')) {
        await saveScreenshot(page, 'alerts-bands-status-heatmap');
        // Switched off with the other spans.
        await page.uncheck('#marker-alert');
        await page.waitForURL(/hide=alert/);
        await page.waitForFunction(() => document.querySelectorAll('g.alert-band').length === 0);
      }
    }
    const phone = await d.open({
      search: '?service=payments&method=POST&path=%2Fcharge&range=6h',
      viewport: { width: 390, height: 844 },
    });
    await waitForData(phone);
    await phone.waitForSelector('#card-latency-heatmap g.alert-band');
    await phone.waitForSelector('#card-status g.alert-band');
    await saveScreenshot(phone, 'alerts-bands-status-heatmap-mobile');
  });

  it('draws a span whose resolve lies past the fetched history window whole (a browser clock behind the server)', async () => {
    const answer = await alerts(`?from=${Date.now() - 7 * 3_600_000}`);
    const resolved = answer.history.find(
      (e) => e.kind === 'resolved' && e.startsAt === nowMinute + RESOLVED_INCIDENT.from * MINUTE,
    )!;
    // The page's clock between the span's start and the minute that resolved it: its alerts call asks for history
    // up to a minute after its "now", which holds the firing event and not the resolve.
    const pageNow = resolved.at - 3 * MINUTE;
    const asked: URL[] = [];
    const page = await d.open({
      search: '?service=payments&method=POST&path=%2Fcharge&range=6h',
      beforeLoad: async (p) => {
        await p.clock.install({ time: pageNow });
        p.on('request', (r) => {
          if (new URL(r.url()).pathname === '/api/v1/alerts') asked.push(new URL(r.url()));
        });
      },
    });
    await waitForData(page);
    await page.waitForFunction(() => document.querySelectorAll('#card-error-rate g.alert-band').length === 1);
    const to = Number(asked[0]!.searchParams.get('to'));
    expect(to).toBeLessThanOrEqual(resolved.at);
    const windowed = await alerts(`?from=${asked[0]!.searchParams.get('from')}&to=${to}`);
    expect(windowed.history.map((e) => [e.kind, e.startsAt, e.at >= to])).toEqual([
      ['firing', resolved.startsAt, false],
      ['resolved', resolved.startsAt, true],
    ]);
    for (const card of ['#card-error-rate', '#card-status']) {
      await page.waitForFunction((c) => document.querySelectorAll(`${c} g.alert-band`).length === 1, card);
      const [band] = await bandsOf(page, card);
      expect([band!.startsAt, band!.endsAt]).toEqual([resolved.startsAt, resolved.endsAt]);
      const x = await axisScale(page, card, pageNow);
      expect(Math.abs(band!.x - x(resolved.startsAt))).toBeLessThanOrEqual(1.5);
      // It ends after the chart's range: drawn to the plot's right edge, without an end edge.
      expect(band!.right).toBeGreaterThanOrEqual(x(pageNow - MINUTE) - 1.5);
      expect(await page.$$eval(`${card} g.alert-band line.alert-band-end`, (l) => l.length)).toBe(0);
      expect(await page.$eval(`${card} g.alert-band title`, (t) => t.textContent)).toMatch(
        /^payments-errors: fired .* – .* \(11 min\)$/,
      );
    }
    await saveScreenshot(page, 'alerts-band-past-window');
  });

  it('lets an operator silence a firing alert and expire the silence; a viewer gets neither, from page or API', async () => {
    const viewer = await d.open({ search: '#alerts' });
    await viewer.waitForSelector('#alerts-page:not([hidden]) #alerts-firing table');
    expect(await viewer.isHidden('#silences-card')).toBe(true);
    expect(await viewer.$$eval('button.silence-button', (b) => b.length)).toBe(0);
    const body = { rule: 'payments-errors', expiresAt: Date.now() + 3_600_000, comment: 'viewer' };
    const refused = [
      await d.call('POST', '/api/v1/alert-silences', { body }),
      await d.call('GET', '/api/v1/alert-silences'),
      await d.call('DELETE', '/api/v1/alert-silences/any'),
    ];
    expect(refused.map((r) => [r.status, (r.body as { error: { code: string } }).error.code])).toEqual([
      [403, 'FORBIDDEN'],
      [403, 'FORBIDDEN'],
      [403, 'FORBIDDEN'],
    ]);

    const ops = await d.open({ search: '#alerts', token: OPERATOR_KEY });
    await ops.waitForSelector('#silences-card:not([hidden]) #silences-table p');
    expect(await ops.textContent('#silences-table')).toBe('No silence in force.');
    await ops.click('#alerts-firing tr[data-rule="payments-errors"] button.silence-button');
    await ops.waitForSelector('#silence-form:not([hidden])');
    expect(await ops.textContent('#silence-target')).toBe('Silence payments-errors · payments POST /charge');
    await ops.selectOption('#silence-duration', '4h');
    await ops.fill('#silence-comment', 'card processor fix <b>rolling</b> out');
    const before = Date.now();
    await ops.click('#silence-form button[type="submit"]');
    await ops.waitForFunction(() =>
      document.querySelector('#silence-status')?.textContent?.startsWith('Silenced'),
    );
    await ops.waitForSelector('#silences-table table');
    const stored = await d.call('GET', '/api/v1/alert-silences', { key: OPERATOR_KEY });
    const silences = (stored.body as { silences: Silence[] }).silences;
    expect(silences.map((x) => [x.matchers, x.comment, x.createdBy])).toEqual([
      [
        { rule: 'payments-errors', service: 'payments', method: 'POST', path: '/charge' },
        'card processor fix <b>rolling</b> out',
        'key:operator',
      ],
    ]);
    expect(silences[0]!.expiresAt - before).toBeGreaterThanOrEqual(4 * 3_600_000 - 1000);
    expect(silences[0]!.expiresAt - Date.now()).toBeLessThanOrEqual(4 * 3_600_000);
    const row = await ops.$$eval('#silences-table tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent)),
    );
    expect(row[0]!.slice(0, 4)).toEqual([
      'payments-errors · payments POST /charge',
      expect.stringMatching(new RegExp(`^${since(silences[0]!.expiresAt)} \\(in (3 h 5\\d min|4 h)\\)$`)),
      'card processor fix <b>rolling</b> out',
      'key:operator',
    ]);
    // The comment stays text.
    expect(await ops.$$eval('#silences-table b', (b) => b.length)).toBe(0);
    // A silence stops notifications, not the alert: it still fires and the banner stays.
    expect(await ops.isVisible('#alert-banner')).toBe(true);
    await saveScreenshot(ops, 'alerts-silence');
    const phone = await d.open({
      search: '#alerts',
      token: OPERATOR_KEY,
      viewport: { width: 390, height: 844 },
    });
    await phone.waitForSelector('#silences-table table');
    await saveScreenshot(phone, 'alerts-silence-mobile');

    await ops.click(`#silences-table button[data-expire="${silences[0]!.id}"]`);
    await ops.waitForFunction(
      () => document.querySelector('#silences-table')?.textContent === 'No silence in force.',
    );
    expect(await ops.textContent('#silence-status')).toBe('Silence expired.');
    const after = await d.call('GET', '/api/v1/alert-silences', { key: OPERATOR_KEY });
    const left = (after.body as { silences: Silence[] }).silences.filter((x) => x.expiresAt > Date.now());
    expect(left).toEqual([]);
  });

  it('takes the banner away by itself once the alert resolves', async () => {
    const page = await d.open();
    await waitForData(page);
    await page.waitForSelector('#alert-banner:not([hidden])');
    // Clean minutes after the incident, complete before the pass that rolls them up (so the evaluator judges them).
    const next = Math.max(nowMinute + 2 * MINUTE, Math.floor(Date.now() / MINUTE) * MINUTE + MINUTE);
    await new Promise((r) => setTimeout(r, next + 2_000 - Date.now()));
    await rollUp(
      d.store,
      alertTestFacts(nowMinute, 0, (next - nowMinute) / MINUTE, true),
      undefined,
      'ing-1',
    );
    await evaluateAlerts(d.store, d.engine, alertTestRules(), evaluation());
    const answer = await alerts();
    expect(answer.firing).toEqual([]);
    expect(answer.history.filter((e) => e.kind === 'resolved').map((e) => e.startsAt)).toContain(
      nowMinute + ONGOING_INCIDENT.from * MINUTE,
    );
    // No click, no reload: the next poll (the page's 30 s refresh) removes it.
    await page.waitForSelector('#alert-banner', { state: 'hidden', timeout: 45_000 });
    expect(await page.textContent('#alert-banner-list')).toBe('');
  }, 240_000);
});
