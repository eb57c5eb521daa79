import type { EdgeTimeseriesResponse, ServiceMapResponse } from '../../../../workers/query/api-types.js';
import { formatLatency, formatPercent, formatThroughput } from '../domain/format.js';
import { buildLineChartSvg, type ChartSeries } from '../domain/line-chart-svg.js';
import { buildServiceMapSvg, errorBands } from '../domain/service-map-svg.js';
import { createElement, requireElement } from './require-element.js';

export interface EdgePick {
  caller: string;
  callee: string;
}

const CHART = { width: 560, height: 200 };

/**
 * The service map of the selected range (GET /api/v1/service-map, docs/adr/0085): a layered SVG of the calls
 * between services, edges coloured by error rate with a legend; a click (or Enter/Space on a focused edge)
 * opens that edge's charts (GET /api/v1/service-map/edge).
 */
export class ServiceMapView {
  private readonly section = requireElement('service-map', HTMLElement);
  private readonly body = requireElement('service-map-body', HTMLDivElement);
  private readonly edgePanel = requireElement('service-map-edge', HTMLDivElement);

  constructor(private readonly onPick: (edge: EdgePick) => void) {
    const pick = (target: EventTarget | null) => {
      const edge = (target as Element | null)?.closest?.('.sm-edge');
      const caller = edge?.getAttribute('data-caller');
      const callee = edge?.getAttribute('data-callee');
      if (caller != null && callee != null) this.onPick({ caller, callee });
    };
    this.body.addEventListener('click', (event) => pick(event.target));
    this.body.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      event.preventDefault();
      pick(event.target);
    });
  }

  hide(): void {
    this.section.hidden = true;
    this.edgePanel.replaceChildren();
  }

  render(map: ServiceMapResponse): void {
    if (map.edges.length === 0) return this.hide();
    this.section.hidden = false;
    const legend = createElement('ul', undefined, 'sm-legend');
    legend.setAttribute('aria-label', 'Edge colours');
    for (const band of errorBands) {
      const item = createElement('li');
      item.append(createElement('span', undefined, `sm-swatch sm-${band.band}`), band.label);
      legend.append(item);
    }
    const note = map.truncated
      ? [createElement('p', `The ${map.edges.length} busiest calls only.`, 'muted')]
      : [];
    const scroll = createElement('div', undefined, 'table-scroll');
    scroll.innerHTML = buildServiceMapSvg(map);
    this.body.replaceChildren(legend, ...note, scroll);
  }

  /** One edge's requests, error rate and percentiles per step, under the map. */
  renderEdge(series: EdgeTimeseriesResponse, timeZone?: string): void {
    const points = series.points;
    const line = (
      name: string,
      variant: ChartSeries['variant'],
      v: (p: (typeof points)[number]) => number | null,
    ) => ({
      name,
      variant,
      points: points.map((p) => ({ t: p.t, v: v(p) })),
    });
    const chart = (id: string, title: string, format: (v: number) => string, lines: ChartSeries[]) => ({
      title: `${title} · ${lines.map((l) => l.name).join(', ')}`,
      svg: buildLineChartSvg({
        id: `sm-${id}`,
        title,
        description: `${title} of the calls from ${series.caller} to ${series.callee}`,
        ...CHART,
        from: series.from,
        to: series.to,
        series: lines,
        markers: [],
        formatValue: format,
        ...(timeZone === undefined ? {} : { timeZone }),
      }),
    });
    const heading = createElement('h3', `${series.caller} → ${series.callee}`);
    heading.id = 'service-map-edge-title';
    const charts = [
      chart('throughput', 'Calls per second', formatThroughput, [
        line('calls/s', 'throughput', (p) => p.throughput),
      ]),
      chart('errors', '5xx error rate', formatPercent, [line('5xx rate', 'errors', (p) => p.errorRate)]),
      chart('latency', 'Latency', formatLatency, [
        line('p50', 'p50', (p) => p.p50),
        line('p95', 'p95', (p) => p.p95),
        line('p99', 'p99', (p) => p.p99),
      ]),
    ].map(({ title, svg }) => {
      const figure = createElement('figure', undefined, 'card');
      figure.innerHTML = svg;
      figure.prepend(createElement('figcaption', title));
      return figure;
    });
    this.edgePanel.replaceChildren(heading, ...charts);
    heading.tabIndex = -1;
    heading.focus();
  }

  renderEdgeError(message: string): void {
    this.edgePanel.replaceChildren(createElement('p', message, 'field-error'));
  }
}
