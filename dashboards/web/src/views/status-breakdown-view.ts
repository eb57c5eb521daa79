import type { TimeseriesResponse } from '../../../../workers/query/api-types.js';
import { formatStep } from '../domain/format.js';
import type { AlertBand, TimeFrame } from '../domain/alert-bands-svg.js';
import {
  buildStatusBarsSvg,
  buildStatusBreakdown,
  describeStatusTotals,
  statusBarsFrame,
} from '../domain/status-breakdown.js';
import { drawAlertBands } from './alert-bands-layer.js';
import { chartExportButtons } from './chart-export.js';
import { createElement } from './require-element.js';

const CHART_HEIGHT = 200;

export interface StatusBreakdownInput {
  ts: TimeseriesResponse;
  scope: string;
  newestMinute: number | null;
  timeZone?: string;
}

/** The status breakdown card: requests per status class stacked per bucket, with the range's shares below. */
export class StatusBreakdownView {
  private readonly card = document.querySelector<HTMLElement>('[data-status-breakdown]');
  private last: StatusBreakdownInput | null = null;
  private lastWidth = 0;
  /** The bars' frame (null: no bars drawn) and the page's alert spans, kept across re-renders. */
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

  render(input: StatusBreakdownInput): void {
    const card = this.card;
    if (!card) return;
    this.last = input;
    this.lastWidth = card.clientWidth;
    const width = Math.max(240, card.clientWidth ? card.clientWidth - 26 : 600);
    const breakdown = buildStatusBreakdown(input.ts, input.newestMinute);
    const title = `Status codes, ${input.scope} · ${formatStep(input.ts.stepMs)} buckets`;
    const caption = createElement('figcaption');
    caption.append(createElement('h2', title), chartExportButtons('status-codes'));
    const legend = createElement('ul', undefined, 'legend');
    for (const c of breakdown.present) legend.append(createElement('li', c, `swatch-status-${c}`));
    const box = createElement('div', undefined, 'chart-box');
    this.frame = null;
    if (breakdown.buckets.every((b) => b.requests === 0)) {
      box.textContent = `No requests for ${input.scope} in this time range.`;
      box.classList.add('no-data');
    } else {
      const spec = { id: 'chart-status', title, width, height: CHART_HEIGHT, timeZone: input.timeZone };
      box.innerHTML = buildStatusBarsSvg(breakdown, spec);
      this.frame = statusBarsFrame(breakdown, spec);
    }
    const totals = createElement('p', describeStatusTotals(breakdown), 'status-totals');
    card.replaceChildren(caption, legend, box, totals);
    if (breakdown.totals.unknown > 0) {
      card.append(
        createElement(
          'p',
          'unknown: requests below 400 rolled up before status classes were stored (their class was not kept).',
          'status-note',
        ),
      );
    }
    this.drawAlertBands();
    card.removeAttribute('aria-busy');
  }

  /** The alert spans of the page's series as bands behind the bars ([] removes them). */
  renderAlertBands(bands: readonly AlertBand[]): void {
    this.alertBands = bands;
    this.drawAlertBands();
  }

  private drawAlertBands(): void {
    if (this.card) drawAlertBands(this.card, this.frame, this.alertBands, 'behind', this.last?.timeZone);
  }
}
