import { createElement } from './require-element.js';
import { downloadFile, downloadName } from './download-file.js';

/**
 * SVG and PNG downloads of the charts. The page styles its SVG with CSS classes (so themes work); a downloaded file
 * has no stylesheet, so every element's computed presentation is written into its own style attribute, and the
 * card's background is drawn behind it: the file looks like the chart on screen, in the theme it was taken in.
 */
const STYLE_PROPERTIES = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-opacity',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'dominant-baseline',
  'text-anchor',
  'display',
  'visibility',
] as const;

/** The two buttons a chart card puts in its caption; `name` ends up in the file name. */
export function chartExportButtons(name: string): HTMLSpanElement {
  const tools = createElement('span', undefined, 'chart-tools');
  for (const format of ['svg', 'png'] as const) {
    const button = createElement('button', format.toUpperCase(), 'link-button');
    button.type = 'button';
    button.dataset['exportChart'] = name;
    button.dataset['format'] = format;
    button.setAttribute('aria-label', `Download this chart as ${format.toUpperCase()}`);
    tools.append(button);
  }
  return tools;
}

/** One listener for every card's buttons, also those drawn after it was installed. */
export function installChartExport(root: Document): void {
  root.addEventListener('click', (event) => {
    const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button[data-export-chart]');
    const svg = button?.closest('.card')?.querySelector<SVGSVGElement>('svg.chart');
    if (!button || !svg) return;
    const name = button.dataset['exportChart'] ?? 'chart';
    const markup = selfContainedSvg(svg);
    if (button.dataset['format'] === 'png') void downloadPng(markup, svg, name);
    else downloadFile(downloadName(name, 'svg'), new Blob([markup], { type: 'image/svg+xml' }));
  });
}

/** The chart's markup with computed styles inlined and the card's background behind it. */
export function selfContainedSvg(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...svg.querySelectorAll('*')];
  const copies = [copy, ...copy.querySelectorAll('*')];
  originals.forEach((element, i) => {
    const target = copies[i] as SVGElement | undefined;
    if (!target) return;
    const computed = getComputedStyle(element);
    const style = STYLE_PROPERTIES.map((p) => `${p}:${computed.getPropertyValue(p)}`).join(';');
    target.setAttribute('style', style);
    target.removeAttribute('class');
    target.removeAttribute('tabindex');
  });
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const width = svg.getAttribute('width') ?? '600';
  const height = svg.getAttribute('height') ?? '200';
  const background = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  background.setAttribute('width', width);
  background.setAttribute('height', height);
  background.setAttribute('fill', cardBackground(svg));
  copy.insertBefore(background, copy.querySelector('desc')?.nextSibling ?? copy.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`;
}

function cardBackground(svg: Element): string {
  const card = svg.closest('.card') ?? document.body;
  return getComputedStyle(card).backgroundColor || '#ffffff';
}

/** The self-contained SVG drawn on a canvas at twice its size (sharp on high-density screens), as PNG. */
async function downloadPng(markup: string, svg: SVGSVGElement, name: string): Promise<void> {
  const width = Number(svg.getAttribute('width') ?? 600);
  const height = Number(svg.getAttribute('height') ?? 200);
  // A data: URL, not a blob: one: the page's Content-Security-Policy allows images from 'self' and data: only.
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width * 2;
  canvas.height = height * 2;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.scale(2, 2);
  context.drawImage(image, 0, 0, width, height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (blob) downloadFile(downloadName(name, 'png'), blob);
}
