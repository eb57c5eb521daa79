import { buildReadout } from '../domain/chart-readout.js';
import type { LineChartSpec } from '../domain/line-chart-svg.js';
import { plotArea } from '../domain/line-chart-svg.js';
import { createElement } from './require-element.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Hover read-out: a crosshair at the step under the pointer and a box with every series' value there.
 * Mouse/touch only; keyboard and screen-reader users get the same numbers from the summary table.
 */
export function attachChartHover(box: HTMLElement, spec: LineChartSpec): void {
  const svg = box.querySelector('svg');
  if (!svg) return;
  const plot = plotArea(spec);
  const line = document.createElementNS(SVG_NS, 'line');
  line.classList.add('crosshair');
  line.setAttribute('y1', String(plot.top));
  line.setAttribute('y2', String(plot.bottom));
  line.style.display = 'none';
  svg.append(line);
  const tip = createElement('div', undefined, 'readout');
  tip.hidden = true;
  tip.setAttribute('aria-hidden', 'true');
  box.append(tip);

  box.addEventListener('pointermove', (event) => {
    const rect = svg.getBoundingClientRect();
    const x = ((event.clientX - rect.left) * spec.width) / rect.width;
    const readout = buildReadout(spec, x);
    if (!readout) return hide();
    line.setAttribute('x1', String(readout.x));
    line.setAttribute('x2', String(readout.x));
    line.style.display = '';
    tip.replaceChildren(createElement('strong', readout.heading));
    for (const row of readout.rows) {
      const item = createElement('div', `${row.name}: ${row.value}`, `swatch-${row.variant}`);
      tip.append(item);
    }
    const left = (readout.x * rect.width) / spec.width;
    // Keep the box inside the card: flip it to the left of the crosshair past the middle.
    tip.style.left = left > rect.width / 2 ? '' : `${left + 12}px`;
    tip.style.right = left > rect.width / 2 ? `${rect.width - left + 12}px` : '';
    tip.hidden = false;
  });
  box.addEventListener('pointerleave', hide);

  function hide(): void {
    line.style.display = 'none';
    tip.hidden = true;
  }
}
