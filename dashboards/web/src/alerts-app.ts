import type { AlertsApi } from './api/alerts-api.js';
import { ApiResponseError, describeApiError } from './api/api-errors.js';
import { buildBannerItems, type AlertsResponse } from './domain/alert-summary.js';
import { buildBudgetBars, buildHistoryRows, buildRuleRows, historyRange } from './domain/alerts-page.js';
import { parseDashboardState } from './domain/dashboard-state.js';
import { intlTimeZone } from './domain/date-time-fields.js';
import { formatInstant } from './domain/scale.js';
import { resolveRange } from './domain/time-range.js';
import { AlertBannerView } from './views/alert-banner-view.js';
import { AlertsPageView } from './views/alerts-page-view.js';
import { requireElement } from './views/require-element.js';
import { SilencesView } from './views/silences-view.js';

/** The dashboard's refresh cadence (app.ts REFRESH_MS): the banner is as current as the charts. */
const POLL_MS = 30_000;

export type AlertsListener = (alerts: AlertsResponse | null) => void;

/** What the dashboard's controller needs of the alerts: each answer (null: none to show) and a poll now. */
export interface AlertsFeed {
  subscribe(listener: AlertsListener): void;
  refresh(): Promise<void>;
}

/**
 * The alerts part of the page: polls `GET /api/v1/alerts` at the dashboard's refresh cadence (a background tab
 * catches up when looked at), draws the banner on every page, the alerts page at `#alerts`, and hands the answer to
 * listeners (the charts' alert spans). A server without alerting (503) or an older one (404) shows none of it, and
 * a failed poll never touches the dashboard's own error banner.
 */
export class AlertsApp implements AlertsFeed {
  private readonly banner = new AlertBannerView((search) => this.navigate(search));
  readonly page = new AlertsPageView((search) => this.navigate(search));
  private readonly link = requireElement('alerts-link', HTMLAnchorElement);
  private readonly silences: SilencesView;
  private readonly listeners: AlertsListener[] = [];
  private timer: number | undefined;
  private generation = 0;
  private due = false;

  constructor(private readonly api: AlertsApi) {
    this.silences = new SilencesView(api);
    this.page.firingActions = (alert) => this.silences.buttonFor(alert);
  }

  start(): void {
    window.addEventListener('hashchange', () => this.route());
    // Opening a series from the banner is a pushState: no hashchange, so the page is routed here too.
    window.addEventListener('popstate', () => this.route());
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && this.due) void this.refresh();
    });
    this.page.historyWindow.addEventListener('change', () => void this.refresh());
    requireElement('login-form', HTMLFormElement).addEventListener('submit', () =>
      window.setTimeout(() => void this.refresh(), 0),
    );
    this.route();
  }

  subscribe(listener: AlertsListener): void {
    this.listeners.push(listener);
  }

  private shown(): boolean {
    return window.location.hash === '#alerts';
  }

  private route(): void {
    this.page.show(this.shown());
    void this.refresh();
  }

  /** One poll now (and the next one a full interval later). */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    window.clearTimeout(this.timer);
    const now = Date.now();
    const state = parseDashboardState(window.location.search);
    const zone = intlTimeZone(state.tz);
    // The charts' range (their spans) and the page's history window, in one call.
    const chartFrom = resolveRange(state.range, now, state.step).from;
    const history = historyRange(this.page.historyWindow.value, now);
    try {
      const alerts = await this.api.alerts({ from: Math.min(chartFrom, history.from), to: history.to });
      if (generation !== this.generation) return;
      this.link.hidden = false;
      this.banner.render(buildBannerItems(alerts.firing, Date.now(), zone));
      if (this.shown()) {
        // Who may silence decides the firing rows' buttons: read before they are drawn.
        await this.silences.load(zone);
        if (generation !== this.generation) return;
        this.renderPage(alerts, history, zone);
      }
      for (const listener of this.listeners) listener(alerts);
    } catch (error) {
      if (generation !== this.generation) return;
      this.banner.hide();
      this.link.hidden = !(error instanceof ApiResponseError && error.status === 403);
      if (this.shown()) this.page.showError(`Could not read the alerts: ${describeApiError(error)}`);
      for (const listener of this.listeners) listener(null);
    } finally {
      if (generation === this.generation) this.schedule();
    }
  }

  private renderPage(alerts: AlertsResponse, history: { from: number; to: number }, zone?: string): void {
    const now = Date.now();
    const items = buildBannerItems(alerts.firing, now, zone);
    const firing = items.map((item) => ({ item, since: formatInstant(item.alert.since, zone) }));
    this.page.render({
      firing,
      rules: buildRuleRows(alerts.rules, now, zone),
      history: buildHistoryRows(
        alerts.history.filter((e) => e.at >= history.from && e.at < history.to),
        zone,
      ),
      budgets: buildBudgetBars(alerts.budgets),
    });
  }

  private schedule(): void {
    this.due = false;
    this.timer = window.setTimeout(() => {
      if (document.hidden) this.due = true;
      else void this.refresh();
    }, POLL_MS);
  }

  /** A series' charts: the dashboard reads the URL on popstate, as for the back button. */
  private navigate(search: string): void {
    window.history.pushState(null, '', `/${search}`);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }
}
