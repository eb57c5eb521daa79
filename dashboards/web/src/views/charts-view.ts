import { buildChartViews, type ChartInput, type ChartView } from '../domain/chart-specs.js';
import { buildLineChartSvg, lineChartFrame } from '../domain/line-chart-svg.js';
import type { ExemplarItem } from '../../../../workers/query/api-types.js';
import type { EndpointExemplars } from '../api/load-exemplars.js';
import { buildExemplarPointsSvg, type ExemplarChart } from '../domain/exemplar-points-svg.js';
import { buildSamplingNote } from '../domain/sampling-note.js';
import { attachChartHover } from './chart-hover.js';
import { attachChartInteraction, type ChartInteractionHandlers } from './chart-interaction.js';
import { attachMarkerTooltip } from './marker-tooltip.js';
import { createElement } from './require-element.js';
import { chartExportButtons } from './chart-export.js';
import { SeriesToggles } from './series-toggles.js';
import type { AlertBand } from '../domain/alert-bands-svg.js';
import { drawAlertBands } from './alert-bands-layer.js';

const CHART_HEIGHT = 200;

type ChartData = ChartInput;

/** The three chart cards; re-renders at the card's real width so labels stay readable on a phone. */
export class ChartsView {
  private readonly cards = [...document.querySelectorAll<HTMLElement>('[data-chart]')];
  private last: ChartData | null = null;
  private lastWidth = 0;
  private lastViews: ChartView[] = [];
  /** The endpoint view's exemplars, drawn over the latency and error charts (null: none to draw). */
  private exemplars: EndpointExemplars | null = null;
  /** The alert spans of the page's series (alerts-app.ts polls them); kept across re-renders like exemplars. */
  private alertBands: readonly AlertBand[] = [];
  private readonly toggles = new SeriesToggles(() => {
    if (this.last) this.render(this.last);
  });

  constructor(private readonly interaction: ChartInteractionHandlers) {
    const first = this.cards[0];
    if (first) {
      new ResizeObserver(() => {
        if (first.clientWidth !== this.lastWidth && this.last) this.render(this.last);
      }).observe(first);
    }
  }

  renderLoading(): void {
    for (const card of this.cards) {
      card.setAttribute('aria-busy', 'true');
      if (card.childElementCount === 0) {
        card.append(createElement('div', 'Loading…', 'chart-box loading-box'));
      }
    }
  }

  render(data: ChartData): void {
    this.last = data;
    const width = Math.max(240, this.cards[0]?.clientWidth ? this.cards[0].clientWidth - 26 : 600);
    this.lastWidth = this.cards[0]?.clientWidth ?? 0;
    const views = buildChartViews(data, { width, height: CHART_HEIGHT });
    this.lastViews = views;
    // A range without a single request gets words, not empty axes that look like a broken chart.
    const noRequests = data.ts.points.every((p) => p.requests === 0);
    for (const view of views) {
      const card = this.cards.find((c) => c.dataset['chart'] === view.kind);
      if (card) this.renderCard(card, view, data);
      if (card && noRequests) {
        card
          .querySelector('.chart-box')
          ?.replaceChildren(`No requests for ${data.scope} in this time range.`);
        card.querySelector('.chart-box')?.classList.add('no-data');
      }
    }
    this.drawExemplars();
    this.drawAlertBands();
  }

  /** Alert spans as shaded bands behind every line chart's lines ([] removes them). */
  renderAlertBands(bands: readonly AlertBand[]): void {
    this.alertBands = bands;
    this.drawAlertBands();
  }

  private drawAlertBands(): void {
    for (const view of this.lastViews) {
      const card = this.cards.find((c) => c.dataset['chart'] === view.kind);
      if (!card) continue;
      drawAlertBands(card, lineChartFrame(view.spec), this.alertBands, 'behind', this.last?.timeZone);
    }
  }

  /** Points for the endpoint view's real requests (null removes them); kept across re-renders at a new width. */
  renderExemplars(exemplars: EndpointExemplars | null): void {
    this.exemplars = exemplars;
    this.drawExemplars();
  }

  private drawExemplars(): void {
    const shown: Record<ExemplarChart, ExemplarItem[]> = {
      latency: this.exemplars?.slowest ?? [],
      'error-rate': this.exemplars?.errors ?? [],
    };
    for (const view of this.lastViews) {
      if (view.kind !== 'latency' && view.kind !== 'error-rate') continue;
      const card = this.cards.find((c) => c.dataset['chart'] === view.kind);
      if (card) this.drawCardExemplars(card, view, view.kind, shown[view.kind]);
    }
  }

  private drawCardExemplars(card: HTMLElement, view: ChartView, chart: ExemplarChart, shown: ExemplarItem[]) {
    card.querySelector('.exemplars')?.remove();
    card.querySelector('.swatch-exemplar')?.remove();
    const svg = card.querySelector('svg.chart');
    const markup = buildExemplarPointsSvg(view.spec, chart, shown, this.last?.timeZone);
    if (!svg || markup === '') return;
    svg.insertAdjacentHTML('beforeend', markup);
    const name = chart === 'latency' ? 'slowest requests' : 'recent 5xx';
    card.querySelector('.legend')?.append(createElement('li', name, 'swatch-exemplar'));
  }

  private renderCard(card: HTMLElement, view: ChartView, data: ChartData): void {
    const hasMarkers = view.spec.markers.length > 0;
    const caption = createElement('figcaption');
    caption.append(createElement('h2', view.spec.title), chartExportButtons(view.kind));
    const legend = createElement('ul', undefined, 'legend');
    // Every series can be switched off from its legend entry; the chart, hover and scale show the rest.
    for (const s of view.spec.series) legend.append(this.toggles.legendItem(view.kind, s));
    if (hasMarkers) legend.append(createElement('li', 'deploys / incidents', 'swatch-marker'));
    const spec = { ...view.spec, series: this.toggles.visible(view.kind, view.spec.series) };
    const box = createElement('div', undefined, 'chart-box');
    box.innerHTML = buildLineChartSvg(spec);
    attachChartHover(box, spec);
    attachChartInteraction(box, spec, this.interaction);
    attachMarkerTooltip(box, data.events, data.timeZone);
    const note = buildSamplingNote(data.ts.points);
    const parts = note === null ? [] : [createElement('p', note, 'sampling-note')];
    card.replaceChildren(caption, legend, ...parts, box, summaryTable(view));
    card.removeAttribute('aria-busy');
  }
}

/**
 * The chart's numbers for screen readers, which cannot read lines. Wrapped in a hidden box because a table
 * ignores the 1px width that hides other elements.
 */
function summaryTable(view: ChartView): HTMLDivElement {
  const box = createElement('div', undefined, 'visually-hidden');
  const table = createElement('table');
  box.append(table);
  table.createCaption().textContent = `${view.spec.title}: summary`;
  const head = table.createTHead().insertRow();
  for (const h of ['Series', 'Latest', 'Peak', 'Average']) head.append(createElement('th', h));
  const body = table.createTBody();
  for (const s of view.summary) {
    const row = body.insertRow();
    const name = createElement('th', s.name);
    name.scope = 'row';
    row.append(
      name,
      createElement('td', s.latest),
      createElement('td', s.peak),
      createElement('td', s.average),
    );
  }
  return box;
}
