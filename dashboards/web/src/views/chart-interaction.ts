import { buildReadout } from '../domain/chart-readout.js';
import { buildZoomRange, timeToX } from '../domain/chart-zoom.js';
import { plotArea, type LineChartSpec } from '../domain/line-chart-svg.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** The step under the pointer on any chart, for every other chart's crosshair (detail: t or null). */
const CROSSHAIR_EVENT = 'gravix:crosshair';

export interface ChartInteractionHandlers {
  /** A drag across a chart: zoom the page to that range. */
  onZoom(range: { from: number; to: number }): void;
  /** A click on a step: show the endpoints of that bucket ("which endpoint broke at 14:05"). */
  onPickStep(t: number): void;
}

/**
 * Drag to zoom, click to pick a bucket, and a crosshair shared by every chart of the page (the step under the
 * pointer on one chart is marked on all of them, so an error spike lines up with its latency and throughput).
 */
export function attachChartInteraction(
  box: HTMLElement,
  spec: LineChartSpec,
  on: ChartInteractionHandlers,
): void {
  const svg = box.querySelector('svg');
  if (!svg) return;
  const plot = plotArea(spec);
  const shared = line(plot.top, plot.bottom, 'crosshair shared-crosshair');
  const band = document.createElementNS(SVG_NS, 'rect');
  band.classList.add('zoom-band');
  band.setAttribute('y', String(plot.top));
  band.setAttribute('height', String(plot.bottom - plot.top));
  band.style.display = 'none';
  svg.append(shared, band);
  const toSvgX = (clientX: number) => {
    const rect = svg.getBoundingClientRect();
    return ((clientX - rect.left) * spec.width) / rect.width;
  };
  let dragFrom: number | null = null;

  svg.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    dragFrom = toSvgX(event.clientX);
    svg.setPointerCapture?.(event.pointerId);
  });
  svg.addEventListener('pointermove', (event) => {
    const x = toSvgX(event.clientX);
    const readout = buildReadout(spec, x);
    document.dispatchEvent(
      new CustomEvent(CROSSHAIR_EVENT, { detail: { t: readout?.t ?? null, source: svg } }),
    );
    if (dragFrom === null) return;
    band.setAttribute('x', String(Math.min(dragFrom, x)));
    band.setAttribute('width', String(Math.abs(x - dragFrom)));
    band.style.display = '';
  });
  svg.addEventListener('pointerup', (event) => {
    if (dragFrom === null) return;
    const x = toSvgX(event.clientX);
    const zoom = buildZoomRange(spec, dragFrom, x);
    dragFrom = null;
    band.style.display = 'none';
    if (zoom) return on.onZoom(zoom);
    const readout = buildReadout(spec, x);
    if (readout) on.onPickStep(readout.t);
  });
  svg.addEventListener('pointerleave', () =>
    document.dispatchEvent(new CustomEvent(CROSSHAIR_EVENT, { detail: { t: null, source: svg } })),
  );
  const follow = (event: Event) => {
    // A re-render replaced this chart: stop listening.
    if (!svg.isConnected) return document.removeEventListener(CROSSHAIR_EVENT, follow);
    const { t, source } = (event as CustomEvent<{ t: number | null; source: SVGSVGElement }>).detail;
    if (source === svg || t === null) return void (shared.style.display = 'none');
    const x = String(timeToX(spec, t));
    shared.setAttribute('x1', x);
    shared.setAttribute('x2', x);
    shared.style.display = '';
  };
  document.addEventListener(CROSSHAIR_EVENT, follow);
}

function line(y1: number, y2: number, className: string): SVGLineElement {
  const element = document.createElementNS(SVG_NS, 'line');
  element.setAttribute('class', className);
  element.setAttribute('y1', String(y1));
  element.setAttribute('y2', String(y2));
  element.style.display = 'none';
  return element;
}
