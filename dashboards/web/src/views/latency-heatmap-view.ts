import type { LatencyHeatmapResponse } from '../../../../workers/query/api-types.js';
import { formatCount, formatStep } from '../domain/format.js';
import type { AlertBand, TimeFrame } from '../domain/alert-bands-svg.js';
import { buildHeatmapSvg, heatLegend, heatmapFrame } from '../domain/latency-heatmap-svg.js';
import { drawAlertBands } from './alert-bands-layer.js';
import { chartExportButtons } from './chart-export.js';
import { createElement } from './require-element.js';

const CHART_HEIGHT = 240;

export interface LatencyHeatmapInput {
  heatmap: LatencyHeatmapResponse;
  scope: string;
  newestMinute: number | null;
  timeZone?: string;
}

/**
 * The latency distribution card: a heatmap of requests per latency band and bucket, its colour legend, and a
 * read-out of the cell under the pointer (or focus) with the API's exact count.
 */
export class LatencyHeatmapView {
  private readonly card = document.querySelector<HTMLElement>('[data-latency-heatmap]');
  private last: LatencyHeatmapInput | null = null;
  private lastWidth = 0;
  /** The cells' frame (null: no cells drawn) and the page's alert spans, kept across re-renders. */
  private frame: TimeFrame | null = null;
  private alertBands: readonly AlertBand[] = [];

  constructor() {
    const card = this.card;
    if (card) {
      new ResizeObserver(() => {
        if (card.clientWidth !== this.lastWidth && this.last) this.render(this.last);
      }).observe(card);
    }
  }

  hide(): void {
    if (this.card) this.card.hidden = true;
  }

  render(input: LatencyHeatmapInput): void {
    const card = this.card;
    if (!card) return;
    this.last = input;
    card.hidden = false;
    this.lastWidth = card.clientWidth;
    const width = Math.max(240, card.clientWidth ? card.clientWidth - 26 : 600);
    const { heatmap } = input;
    const title = `Latency distribution, ${input.scope} · ${formatStep(heatmap.stepMs)} buckets`;
    const caption = createElement('figcaption');
    caption.append(createElement('h2', title), chartExportButtons('latency-heatmap'));
    const legend = createElement('ul', undefined, 'legend heat-legend');
    legend.setAttribute('aria-label', 'Requests per cell');
    for (const s of heatLegend(heatmap.maxCount)) {
      const item = createElement('li', formatCount(s.count), 'heat-swatch');
      item.style.setProperty('--heat-opacity', String(s.intensity));
      legend.append(item);
    }
    const box = createElement('div', undefined, 'chart-box');
    const readout = createElement('p', 'Point at a cell for its count.', 'heatmap-readout');
    readout.setAttribute('aria-live', 'polite');
    this.frame = null;
    if (heatmap.bands.length === 0) {
      box.textContent = `No requests for ${input.scope} in this time range.`;
      box.classList.add('no-data');
      card.replaceChildren(caption, box);
    } else {
      const spec = { id: 'chart-latency-heatmap', title, width, height: CHART_HEIGHT };
      box.innerHTML = buildHeatmapSvg(heatmap, {
        ...spec,
        timeZone: input.timeZone,
        newestMinute: input.newestMinute,
      });
      this.frame = heatmapFrame(heatmap, spec);
      box.addEventListener('pointerover', (event) => {
        const cell = (event.target as Element).closest('rect.heat-cell');
        const text = cell?.querySelector('title')?.textContent;
        if (text) readout.textContent = text;
      });
      card.replaceChildren(caption, legend, box, readout);
    }
    this.drawAlertBands();
    card.removeAttribute('aria-busy');
  }

  /** The alert spans of the page's series as translucent bands over the cells ([] removes them). */
  renderAlertBands(bands: readonly AlertBand[]): void {
    this.alertBands = bands;
    this.drawAlertBands();
  }

  private drawAlertBands(): void {
    if (this.card) drawAlertBands(this.card, this.frame, this.alertBands, 'over', this.last?.timeZone);
  }
}
