import { buildAlertBandsSvg, type AlertBand, type TimeFrame } from '../domain/alert-bands-svg.js';
import { createElement } from './require-element.js';

/**
 * `behind`: right after the SVG's <desc>, under grid, lines and bars, so a band never hides a value. `over`: on
 * top of the heatmap's cells, whose own shading would hide a band drawn under them (the band is translucent and
 * lets pointer events through to the cells, alerts.css).
 */
export type BandPlacement = 'behind' | 'over';

/**
 * Replaces one chart card's alert bands and their legend entry (one owner of the drawing for the line charts, the
 * status bars and the latency heatmap). `frame` null, or no band inside the chart's range, removes them.
 */
export function drawAlertBands(
  card: HTMLElement,
  frame: TimeFrame | null,
  bands: readonly AlertBand[],
  placement: BandPlacement,
  timeZone?: string,
): void {
  card.querySelector('.alert-bands')?.remove();
  card.querySelector('.swatch-alert')?.remove();
  const svg = card.querySelector('svg.chart');
  const desc = svg?.querySelector(':scope > desc');
  if (!frame || !svg || !desc) return;
  const markup = buildAlertBandsSvg(frame, bands, Date.now(), timeZone);
  if (markup === '') return;
  if (placement === 'behind') desc.insertAdjacentHTML('afterend', markup);
  else
    svg.insertAdjacentHTML(
      'beforeend',
      markup.replace('class="alert-bands"', 'class="alert-bands alert-bands-over"'),
    );
  // The heatmap's legend is its shades' counts: the band's label names it there.
  card.querySelector('.legend:not(.heat-legend)')?.append(createElement('li', 'alert spans', 'swatch-alert'));
}
