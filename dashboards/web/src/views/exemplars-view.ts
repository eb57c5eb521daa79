import type { ExemplarItem } from '../../../../workers/query/api-types.js';
import type { EndpointExemplars } from '../api/load-exemplars.js';
import { formatRequestTime } from '../domain/exemplar-points-svg.js';
import { formatLatency } from '../domain/format.js';
import { createElement, requireElement } from './require-element.js';

/**
 * The endpoint view's "slowest requests" and "recent 5xx": one row per kept request, its trace id a link to the
 * trace when the server has a trace URL template. Hidden outside the endpoint view.
 */
export class ExemplarsView {
  private readonly section = requireElement('exemplars', HTMLElement);
  private readonly slowest = requireElement('exemplars-slowest', HTMLDivElement);
  private readonly errors = requireElement('exemplars-errors', HTMLDivElement);

  hide(): void {
    this.section.hidden = true;
  }

  render(exemplars: EndpointExemplars, timeZone?: string): void {
    this.slowest.replaceChildren(
      table(exemplars.slowest, 'Slowest requests', 'No traced requests in this range.', timeZone),
    );
    this.errors.replaceChildren(
      table(exemplars.errors, 'Recent 5xx', 'No traced 5xx in this range.', timeZone),
    );
    this.section.hidden = false;
  }
}

function table(rows: readonly ExemplarItem[], caption: string, empty: string, timeZone?: string) {
  if (rows.length === 0) return createElement('p', empty, 'muted');
  const t = createElement('table', undefined, 'exemplar-table');
  t.createCaption().textContent = caption;
  const head = t.createTHead().insertRow();
  for (const h of ['Time', 'Latency', 'Status', 'Trace']) head.append(createElement('th', h));
  const body = t.createTBody();
  for (const e of rows) {
    const row = body.insertRow();
    row.dataset['traceId'] = e.traceId;
    row.append(
      createElement('td', formatRequestTime(e.t, timeZone)),
      createElement('td', formatLatency(e.latencyMs), 'num'),
      createElement('td', String(e.statusCode), 'num'),
      traceCell(e),
    );
  }
  return t;
}

/** The trace id, linked when the server built a URL (it sends http(s) URLs only: trace-url-template.ts). */
function traceCell(e: ExemplarItem): HTMLTableCellElement {
  const cell = createElement('td', undefined, 'trace-id');
  if (!e.traceUrl) {
    cell.textContent = e.traceId;
    return cell;
  }
  const link = createElement('a', e.traceId);
  link.href = e.traceUrl;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  cell.append(link);
  return cell;
}
