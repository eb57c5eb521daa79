import type { EndpointRow } from '../../../workers/query/api-types.js';
import { intlTimeZone } from './domain/date-time-fields.js';
import { rangeEndsNow, resolveRange } from './domain/time-range.js';
import type { ApiClient } from './api/api-client.js';
import { ApiResponseError, ApiUnauthorizedError, ApiUnreachableError } from './api/api-errors.js';
import { loadDashboardData, type DashboardData } from './api/load-dashboard-data.js';
import { loadOverview } from './api/load-overview.js';
import { loadCompareFigures } from './api/load-compare-figures.js';
import { loadExemplars } from './api/load-exemplars.js';
import { ExemplarsView } from './views/exemplars-view.js';
import { CompareView } from './views/compare-view.js';
import { loadAllEndpoints } from './api/load-all-endpoints.js';
import { LatencyHeatmapView } from './views/latency-heatmap-view.js';
import { TableExportView } from './views/table-export-view.js';
import { BucketFilterView } from './views/bucket-filter-view.js';
import { OverviewView } from './views/overview-view.js';
import { CardinalityView } from './views/cardinality-view.js';
import { ServiceMapView, type EdgePick } from './views/service-map-view.js';
import type { TokenStore } from './api/token-store.js';
import { buildDashboardSearch, parseDashboardState, type DashboardState } from './domain/dashboard-state.js';
import { formatInstant } from './domain/scale.js';
import { ChartsView } from './views/charts-view.js';
import { EndpointsView, endpointLabel } from './views/endpoints-view.js';
import { FiltersView } from './views/filters-view.js';
import { LoginView } from './views/login-view.js';
import { PageSectionsView } from './views/page-sections-view.js';
import { StatusView } from './views/status-view.js';
import { StatusBreakdownView } from './views/status-breakdown-view.js';
import type { AlertsFeed } from './alerts-app.js';
import { buildAlertSpans, spanLabel, spansForScope, type AlertSpan } from './domain/alert-spans.js';

export const REFRESH_MS = 30_000;
/** While the API is down, retry sooner than the normal refresh so recovery shows quickly. */
export const RETRY_MS = 5_000;
const FRESHNESS_TICK_MS = 15_000;

/**
 * The controller: URL <-> state, one load at a time (a newer load makes older responses irrelevant),
 * and the mapping from each failure class to what the user sees.
 */
export class DashboardApp {
  private state: DashboardState = parseDashboardState(window.location.search);
  private generation = 0;
  private timer: number | undefined;
  private data: DashboardData | null = null;
  private refreshDue = false;
  /** Focus to restore once the next render replaced the elements (drill-out returns to the endpoint's row). */
  private focusAfterRender: (() => void) | null = null;
  private readonly filters = new FiltersView({
    onChange: (patch) => this.update(patch, patch.autoRefresh === undefined ? 'push' : 'replace'),
    onRefresh: () => void this.load(),
  });
  private readonly charts = new ChartsView({
    onZoom: (range) => this.zoomTo(range),
    onPickStep: (bucket) => this.update({ bucket, page: 0 }, 'push'),
  });
  private readonly bucketFilter = new BucketFilterView(() => this.update({ bucket: null, page: 0 }, 'push'));
  private readonly statusBreakdown = new StatusBreakdownView();
  private readonly overview = new OverviewView((service) =>
    this.update({ service, endpoint: null, page: 0 }, 'push'),
  );
  private readonly cardinality = new CardinalityView();
  private readonly serviceMap = new ServiceMapView((edge) => void this.openEdge(edge));
  private readonly compareFigures = new CompareView();
  private readonly exemplars = new ExemplarsView();
  private readonly heatmap = new LatencyHeatmapView();
  private readonly tableExport = new TableExportView({
    overview: () => this.overview.rows(),
    // The range of the page on screen, not "now": a preset range must not move on between showing and exporting.
    endpoints: async () => (this.data ? loadAllEndpoints(this.api, this.state, this.data.endpoints) : []),
  });
  private readonly endpoints = new EndpointsView({
    onDrill: (row) => this.drillInto(row),
    onSort: (sort) => this.update({ sort, page: 0 }, 'push'),
    onPage: (page) => this.update({ page: Math.max(0, page) }, 'push'),
  });
  /** While the API is unreachable the freshness line says so; the ticking "n s ago" must not overwrite it. */
  private apiDown = false;
  private readonly status = new StatusView(() => void this.load());
  private readonly sections = new PageSectionsView(() => this.drillOut());
  private readonly login = new LoginView(
    (token) => this.signIn(token),
    () => this.signOut(),
  );

  /** Every alert's span from the newest poll; the charts show those of the series on screen. */
  private alertSpans: AlertSpan[] = [];

  constructor(
    private readonly api: ApiClient,
    private readonly tokens: TokenStore,
    private readonly alerts?: AlertsFeed,
  ) {}

  start(): void {
    this.filters.render(this.state, [], Date.now());
    if (this.state.range.kind === 'custom')
      this.filters.showCustomRange(this.state.range.from, this.state.range.to);
    window.addEventListener('popstate', () => {
      this.state = parseDashboardState(window.location.search);
      this.filters.render(this.state, this.data?.knownServices ?? [], Date.now());
      if (this.state.range.kind === 'custom')
        this.filters.showCustomRange(this.state.range.from, this.state.range.to);
      void this.load();
    });
    window.setInterval(() => this.renderFreshness(), FRESHNESS_TICK_MS);
    this.alerts?.subscribe((answer) => {
      this.alertSpans = answer ? buildAlertSpans(answer) : [];
      this.drawAlertSpans();
    });
    // A background tab does not poll; it catches up as soon as it is looked at again.
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && this.refreshDue) void this.load();
    });
    void this.load();
  }

  private update(patch: Partial<DashboardState>, history: 'push' | 'replace'): void {
    this.state = { ...this.state, ...patch };
    // Another endpoint's (or range's) requests must not stay on the page while the new ones load.
    this.exemplars.hide();
    this.charts.renderExemplars(null);
    for (const chart of [this.charts, this.statusBreakdown, this.heatmap]) chart.renderAlertBands([]);
    this.sections.renderBreadcrumb(this.state);
    // The overview belongs to "all services": it goes at once, not when the service's data has arrived.
    if (this.state.service !== null) {
      this.overview.hide();
      this.cardinality.hide();
      this.serviceMap.hide();
    }
    const url = `${window.location.pathname}${buildDashboardSearch(this.state)}`;
    if (history === 'push') window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
    void this.load();
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    window.clearTimeout(this.timer);
    this.renderLoading();
    try {
      const data = await loadDashboardData(this.api, this.state, Date.now());
      if (generation !== this.generation) return;
      this.render(data);
      this.scheduleNext(this.autoRefreshing() ? REFRESH_MS : null);
      // The alerts follow the page's refreshes (and its range, for their spans); they never fail the load.
      void this.alerts?.refresh();
      await this.loadCompare(generation, data);
      await this.loadExemplars(generation);
      await this.loadOverview(generation);
      await this.loadServiceMap(generation);
      await this.loadCardinality(generation);
      // Last: it must not delay the overview the page opens with.
      await this.loadHeatmap(generation, data);
    } catch (error) {
      if (generation !== this.generation) return;
      this.fail(error);
    } finally {
      if (generation === this.generation) this.status.setLoading('');
    }
  }

  /** After the charts: the overview's statements must not queue in front of theirs. A failure only hides it. */
  private async loadOverview(generation: number): Promise<void> {
    if (this.state.service !== null) return this.overview.hide();
    try {
      const current = () => generation === this.generation;
      const rows = await loadOverview(this.api, this.state, Date.now(), current);
      if (rows && current()) this.overview.render(rows);
    } catch {
      if (generation === this.generation) this.overview.hide();
    }
  }

  /**
   * After everything else: the latency heatmap on the charts' own steps, for a service or an endpoint (all services'
   * latencies in one distribution say little, and the page opened on all services must stay light). A failure only
   * hides it.
   */
  private async loadHeatmap(generation: number, data: DashboardData): Promise<void> {
    const { from, to, stepMs, filter } = data.timeseries;
    if (this.state.service === null) return this.heatmap.hide();
    try {
      const heatmap = await this.api.latencyHeatmap({ ...filter, from, to, step: stepMs });
      if (generation !== this.generation) return;
      this.heatmap.render({
        heatmap,
        scope: this.scope(),
        newestMinute: data.freshness.lastMetricMinute,
        timeZone: intlTimeZone(this.state.tz),
      });
    } catch {
      if (generation === this.generation) this.heatmap.hide();
    }
  }

  /** After the charts, with compare= only: the comparison as numbers. A failure only hides them. */
  private async loadCompare(generation: number, data: DashboardData): Promise<void> {
    try {
      const figures = await loadCompareFigures(
        this.api,
        this.state,
        Date.now(),
        data.freshness.lastMetricMinute,
      );
      if (generation !== this.generation) return;
      if (figures && this.state.compare) this.compareFigures.render(figures, this.state.compare);
      else this.compareFigures.hide();
    } catch {
      if (generation === this.generation) this.compareFigures.hide();
    }
  }

  /** After the charts, in the endpoint view only: its real requests, listed and drawn. A failure only hides them. */
  private async loadExemplars(generation: number): Promise<void> {
    const hide = () => {
      this.exemplars.hide();
      this.charts.renderExemplars(null);
    };
    try {
      const found = await loadExemplars(this.api, this.state, Date.now());
      if (generation !== this.generation) return;
      if (!found) return hide();
      this.exemplars.render(found, intlTimeZone(this.state.tz));
      this.charts.renderExemplars(found);
    } catch {
      if (generation === this.generation) hide();
    }
  }

  /**
   * For "all services": the calls between services over the selected range (docs/adr/0085). A tenant without
   * OTLP CLIENT spans has no edges and no map; a failure only hides it.
   */
  private async loadServiceMap(generation: number): Promise<void> {
    if (this.state.service !== null) return this.serviceMap.hide();
    try {
      const { from, to } = resolveRange(this.state.range, Date.now(), this.state.step);
      const map = await this.api.serviceMap({ from, to });
      if (generation === this.generation) this.serviceMap.render(map);
    } catch {
      if (generation === this.generation) this.serviceMap.hide();
    }
  }

  /** A clicked edge's charts, on the charts' own range and step. */
  private async openEdge(edge: EdgePick): Promise<void> {
    const ts = this.data?.timeseries;
    const { from, to } = ts ?? resolveRange(this.state.range, Date.now(), this.state.step);
    try {
      const series = await this.api.serviceMapEdge({ ...edge, from, to, step: ts?.stepMs ?? 60_000 });
      this.serviceMap.renderEdge(series, intlTimeZone(this.state.tz));
    } catch (error) {
      this.serviceMap.renderEdgeError(
        `The calls from ${edge.caller} to ${edge.callee} could not be loaded: ${String((error as Error).message)}`,
      );
    }
  }

  /** Last, for "all services" only: a report over the whole tenant. A failure only hides the panel. */
  private async loadCardinality(generation: number): Promise<void> {
    if (this.state.service !== null) return this.cardinality.hide();
    try {
      const { from, to } = resolveRange(this.state.range, Date.now(), this.state.step);
      const report = await this.api.storedCardinality({ from, to });
      if (generation === this.generation) this.cardinality.render(report);
    } catch {
      if (generation === this.generation) this.cardinality.hide();
    }
  }

  private renderLoading(): void {
    this.status.setLoading(this.data ? 'Refreshing…' : 'Loading…');
    if (!this.data) {
      this.charts.renderLoading();
      this.endpoints.renderLoading();
    }
  }

  private render(data: DashboardData): void {
    this.data = data;
    this.apiDown = false;
    this.status.hideBanner();
    this.login.hide(this.tokens.get() !== null);
    const isEmpty = data.services.services.length === 0 && data.freshness.lagMs === null;
    this.sections.showEmpty(isEmpty);
    this.sections.renderBreadcrumb(this.state);
    this.filters.render(this.state, data.knownServices, Date.now());
    this.renderFreshness();
    if (isEmpty) return;
    const chartInput = {
      ts: data.timeseries,
      events: data.events.events,
      scope: this.scope(),
      newestMinute: data.freshness.lastMetricMinute,
      hiddenMarkers: this.state.hiddenMarkers,
      timeZone: intlTimeZone(this.state.tz),
    };
    this.charts.render(chartInput);
    this.drawAlertSpans();
    this.statusBreakdown.render(chartInput);
    this.endpoints.render(data.endpoints, this.state);
    const picked = this.state.bucket !== null && data.endpoints.from === this.state.bucket;
    this.bucketFilter.render(picked ? data.endpoints : null, chartInput.timeZone);
    this.focusAfterRender?.();
    this.focusAfterRender = null;
  }

  /** The alert spans of the series on screen, unless switched off with the markers. */
  private drawAlertSpans(): void {
    const shown = this.state.hiddenMarkers.includes('alert')
      ? []
      : spansForScope(this.alertSpans, this.state);
    const bands = shown.map((span) => ({ span, label: spanLabel(span, this.state) }));
    // Every time chart of the series: the lines, the status bars and the latency heatmap.
    this.charts.renderAlertBands(bands);
    this.statusBreakdown.renderAlertBands(bands);
    this.heatmap.renderAlertBands(bands);
  }

  private scope(): string {
    const { service, endpoint } = this.state;
    if (service && endpoint) return endpointLabel({ service, ...endpoint }, true);
    return service ?? 'all services';
  }

  private renderFreshness(): void {
    if (this.data && !this.apiDown)
      this.status.renderFreshness(this.data.freshness, Date.now() - this.data.receivedAt);
  }

  private autoRefreshing(): boolean {
    return this.state.autoRefresh && rangeEndsNow(this.state.range, Date.now());
  }

  private fail(error: unknown): void {
    if (error instanceof ApiUnauthorizedError) {
      this.status.clearFreshness();
      this.login.show(this.tokens.get() ? error.message : null);
      return;
    }
    const zone = intlTimeZone(this.state.tz);
    const since = this.data ? ` Showing data from ${formatInstant(this.data.receivedAt, zone)}.` : '';
    if (!this.data) this.status.renderFreshnessUnknown();
    if (error instanceof ApiUnreachableError) return this.failUnreachable(since);
    if (error instanceof ApiResponseError) {
      const id = error.requestId ? `, request id ${error.requestId}` : '';
      const retry = error.status >= 500 ? ` Retrying every ${RETRY_MS / 1000} s.` : '';
      this.status.showBanner(`The query API failed: ${error.message} (${error.code}${id}).${retry}${since}`);
      this.scheduleNext(error.status >= 500 ? RETRY_MS : this.autoRefreshing() ? REFRESH_MS : null);
      return;
    }
    this.status.showBanner(`The dashboard failed to render the response.${since}`);
    this.scheduleNext(RETRY_MS);
  }

  /** Nothing on the page is current while the API is gone: the freshness line says so, not "n s ago". */
  private failUnreachable(since: string): void {
    const zone = intlTimeZone(this.state.tz);
    this.apiDown = true;
    this.status.renderApiDown(this.data?.receivedAt ?? null, (t) => formatInstant(t, zone));
    this.status.showBanner(`Cannot reach the Gravix query API. Retrying every ${RETRY_MS / 1000} s.${since}`);
    this.scheduleNext(RETRY_MS);
  }

  private scheduleNext(delayMs: number | null): void {
    window.clearTimeout(this.timer);
    this.refreshDue = false;
    if (delayMs === null) return;
    this.timer = window.setTimeout(() => {
      if (document.hidden) this.refreshDue = true;
      else void this.load();
    }, delayMs);
  }

  /** A drag across a chart: that range becomes the page's custom range (the browser's back returns). */
  private zoomTo(range: { from: number; to: number }): void {
    this.update({ range: { kind: 'custom', ...range }, step: null, page: 0, bucket: null }, 'push');
    this.filters.showCustomRange(range.from, range.to);
  }

  private drillInto(row: EndpointRow): void {
    this.update({ service: row.service, endpoint: { method: row.method, path: row.path } }, 'push');
    this.sections.back.focus();
  }

  private drillOut(): void {
    const from = this.state.endpoint;
    this.update({ endpoint: null }, 'push');
    this.focusAfterRender = () => {
      const selector = `button[data-method="${CSS.escape(from?.method ?? '')}"][data-path="${CSS.escape(from?.path ?? '')}"]`;
      document.querySelector<HTMLButtonElement>(selector)?.focus();
    };
  }

  private signIn(token: string): void {
    this.tokens.set(token);
    this.login.hide(true);
    void this.load();
  }

  private signOut(): void {
    this.tokens.clear();
    window.clearTimeout(this.timer);
    // A load still in flight must not land and hide the login again.
    this.generation++;
    this.status.clearFreshness();
    this.login.show(null);
  }
}
