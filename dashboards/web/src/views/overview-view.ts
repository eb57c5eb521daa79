import { formatCount, formatLatency, formatPercent } from '../domain/format.js';
import { sparklinePath, type Change, type OverviewRow } from '../domain/service-overview.js';
import { createElement, requireElement } from './require-element.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * The service overview the page opens with: every busy service with requests, error rate, p95 and p99 against the
 * same window last week, sorted by what got worse most. A service name drills down into the service.
 */
export class OverviewView {
  private readonly section = requireElement('overview', HTMLElement);
  private readonly container = requireElement('overview-table', HTMLDivElement);
  private shown: OverviewRow[] = [];

  constructor(private readonly onService: (service: string) => void) {}

  hide(): void {
    this.section.hidden = true;
    this.shown = [];
  }

  /** The rows on screen, in their order (the CSV export's). */
  rows(): OverviewRow[] {
    return this.shown;
  }

  render(rows: OverviewRow[]): void {
    this.section.hidden = false;
    this.shown = rows;
    if (rows.length === 0) {
      this.container.replaceChildren(createElement('p', 'No requests in this time range.'));
      return;
    }
    const table = createElement('table');
    table.createCaption().textContent =
      'Services with their change against the same window a week (or, for ranges over a week, whole weeks) earlier';
    table.caption?.classList.add('visually-hidden');
    const head = table.createTHead().insertRow();
    for (const h of ['Service', 'Throughput', 'Requests', 'Error rate', 'P95', 'P99']) {
      const th = createElement('th', h, h === 'P99' ? 'optional' : undefined);
      th.scope = 'col';
      head.append(th);
    }
    const body = table.createTBody();
    for (const row of rows) body.append(this.row(row));
    this.container.replaceChildren(table);
  }

  private row(row: OverviewRow): HTMLTableRowElement {
    const tr = createElement('tr');
    tr.dataset['service'] = row.service;
    const name = createElement('th');
    name.scope = 'row';
    const button = createElement('button', row.service, 'link-button endpoint-link');
    button.type = 'button';
    button.setAttribute('aria-label', `Show service ${row.service}`);
    button.addEventListener('click', () => this.onService(row.service));
    name.append(button);
    tr.append(
      name,
      sparkCell(row.spark),
      figure(formatCount(row.requests), row.changes.requests),
      figure(formatPercent(row.errorRate), row.changes.errorRate),
      figure(formatLatency(row.p95), row.changes.p95),
      figure(formatLatency(row.p99), row.changes.p99, 'optional'),
    );
    return tr;
  }
}

function figure(value: string, change: Change, className?: string): HTMLTableCellElement {
  const td = createElement('td', undefined, className);
  const delta = createElement('span', change.text, `change change-${change.direction}`);
  if (change.significant) delta.classList.add('significant');
  td.append(createElement('span', value, 'figure'), createElement('br'), delta);
  return td;
}

function sparkCell(values: (number | null)[]): HTMLTableCellElement {
  const td = createElement('td', undefined, 'spark');
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('width', '96');
  svg.setAttribute('height', '24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', sparklinePath(values, 96, 24));
  svg.append(path);
  td.append(svg);
  return td;
}
