import type { EndpointRow } from '../../../../workers/query/api-types.js';
import type { DashboardState } from '../domain/dashboard-state.js';
import { formatCount, formatLatency, formatPercent } from '../domain/format.js';
import { createElement, requireElement } from './require-element.js';

export type DrillHandler = (row: EndpointRow) => void;

const COLUMNS = ['Endpoint', 'Requests', '5xx', '4xx', 'Error rate', 'P50', 'P95', 'P99'];
/** Column indexes a phone hides: what broke (5xx, error rate) and how slow (P95) stay visible. */
const OPTIONAL = new Set([3, 5, 7]);

/** The top failing endpoints table; each endpoint is a button that drills down into it. */
export class EndpointsView {
  private readonly container = requireElement('endpoints-table', HTMLDivElement);
  private readonly title = requireElement('endpoints-title', HTMLHeadingElement);

  constructor(private readonly onDrill: DrillHandler) {}

  renderLoading(): void {
    if (this.container.childElementCount === 0) this.container.append(createElement('p', 'Loading…'));
    this.container.setAttribute('aria-busy', 'true');
  }

  render(rows: EndpointRow[], state: DashboardState): void {
    this.container.removeAttribute('aria-busy');
    this.title.textContent = state.service
      ? `Top failing endpoints of ${state.service}`
      : 'Top failing endpoints';
    if (rows.length === 0) {
      this.container.replaceChildren(createElement('p', 'No requests in this time range.'));
      return;
    }
    const table = createElement('table');
    table.createCaption().textContent = 'Endpoints with their request counts, errors and latency percentiles';
    table.caption?.classList.add('visually-hidden');
    const head = table.createTHead().insertRow();
    for (const [i, c] of COLUMNS.entries()) {
      const th = createElement('th', c, OPTIONAL.has(i) ? 'optional' : undefined);
      th.scope = 'col';
      head.append(th);
    }
    const body = table.createTBody();
    for (const row of rows) body.append(this.renderRow(row, state));
    this.container.replaceChildren(table);
  }

  private renderRow(row: EndpointRow, state: DashboardState): HTMLTableRowElement {
    const tr = createElement('tr');
    const selected = state.endpoint?.method === row.method && state.endpoint.path === row.path;
    if (selected) tr.setAttribute('aria-current', 'true');
    const name = createElement('th');
    name.scope = 'row';
    const button = createElement('button', endpointLabel(row, !state.service), 'link-button endpoint-link');
    button.type = 'button';
    button.dataset['method'] = row.method;
    button.dataset['path'] = row.path;
    button.dataset['service'] = row.service;
    button.setAttribute('aria-label', `Drill down into ${endpointLabel(row, true)}`);
    button.addEventListener('click', () => this.onDrill(row));
    name.append(button);
    if (row.overflow) {
      const badge = createElement('span', 'overflow', 'badge');
      badge.title = 'Paths past the service route budget are folded into this route';
      name.append(badge);
    }
    const cells = [
      formatCount(row.requests),
      formatCount(row.errors5xx),
      formatCount(row.errors4xx),
      formatPercent(row.errorRate),
      formatLatency(row.p50),
      formatLatency(row.p95),
      formatLatency(row.p99),
    ];
    tr.append(
      name,
      ...cells.map((text, i) => createElement('td', text, OPTIONAL.has(i + 1) ? 'optional' : undefined)),
    );
    return tr;
  }
}

export function endpointLabel(
  row: { service: string; method: string; path: string },
  withService: boolean,
): string {
  return withService ? `${row.service} ${row.method} ${row.path}` : `${row.method} ${row.path}`;
}
