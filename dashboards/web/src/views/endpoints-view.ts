import type { EndpointRow, EndpointsResponse } from '../../../../workers/query/api-types.js';
import type { DashboardState, EndpointSort } from '../domain/dashboard-state.js';
import { endpointCountText, endpointTableTitle } from '../domain/endpoint-table.js';
import { formatCount, formatLatency, formatPercent } from '../domain/format.js';
import { formatEstimatedCount } from '../domain/sampling-note.js';
import { createElement, requireElement } from './require-element.js';

export interface EndpointsHandlers {
  onDrill(row: EndpointRow): void;
  onSort(sort: EndpointSort): void;
  onPage(page: number): void;
}

interface Column {
  title: string;
  /** The API sort this header applies; columns without one are not sortable server-side. */
  sort?: EndpointSort;
  /** A phone hides it: what broke (5xx, error rate) and how slow (P95, max) stay visible. */
  optional?: boolean;
  cell(row: EndpointRow): string;
}

const COLUMNS: Column[] = [
  { title: 'Requests', sort: 'requests', cell: formatEstimatedCount },
  { title: '5xx', sort: 'errors', cell: (r) => formatCount(r.errors5xx) },
  { title: '4xx', optional: true, cell: (r) => formatCount(r.errors4xx) },
  { title: 'Error rate', sort: 'error_rate', cell: (r) => formatPercent(r.errorRate) },
  { title: 'P50', optional: true, cell: (r) => formatLatency(r.p50) },
  { title: 'P95', sort: 'p95', cell: (r) => formatLatency(r.p95) },
  { title: 'P99', optional: true, cell: (r) => formatLatency(r.p99) },
  { title: 'P99.9', optional: true, cell: (r) => formatLatency(r.p999) },
  { title: 'Max', cell: (r) => formatLatency(r.max) },
];

/** The endpoint table: sortable headers, a count and pages; each endpoint is a button that drills down into it. */
export class EndpointsView {
  private readonly container = requireElement('endpoints-table', HTMLDivElement);
  private readonly title = requireElement('endpoints-title', HTMLHeadingElement);
  private readonly count = requireElement('endpoints-count', HTMLParagraphElement);
  private readonly prev = requireElement('endpoints-prev', HTMLButtonElement);
  private readonly next = requireElement('endpoints-next', HTMLButtonElement);
  private page = 0;

  constructor(private readonly handlers: EndpointsHandlers) {
    this.prev.addEventListener('click', () => this.handlers.onPage(this.page - 1));
    this.next.addEventListener('click', () => this.handlers.onPage(this.page + 1));
  }

  renderLoading(): void {
    if (this.container.childElementCount === 0) this.container.append(createElement('p', 'Loading…'));
    this.container.setAttribute('aria-busy', 'true');
  }

  render(response: EndpointsResponse, state: DashboardState): void {
    this.page = state.page;
    this.container.removeAttribute('aria-busy');
    this.title.textContent = endpointTableTitle(response.sort, response.minRequests, state.service);
    this.count.textContent = endpointCountText(response);
    this.prev.disabled = response.offset === 0;
    this.next.disabled = !response.truncated;
    if (response.endpoints.length === 0) {
      this.container.replaceChildren(createElement('p', 'No requests in this time range.'));
      return;
    }
    const table = createElement('table');
    table.createCaption().textContent = 'Endpoints with their request counts, errors and latency percentiles';
    table.caption?.classList.add('visually-hidden');
    table.createTHead().append(this.headerRow(response.sort));
    const body = table.createTBody();
    for (const row of response.endpoints) body.append(this.renderRow(row, state));
    this.container.replaceChildren(table);
  }

  private headerRow(sort: EndpointSort): HTMLTableRowElement {
    const head = createElement('tr');
    const name = createElement('th', 'Endpoint');
    name.scope = 'col';
    head.append(name);
    for (const column of COLUMNS) {
      const th = createElement('th', undefined, column.optional ? 'optional' : undefined);
      th.scope = 'col';
      if (!column.sort) {
        th.textContent = column.title;
      } else {
        const by = column.sort;
        th.dataset['column'] = by;
        if (by === sort) th.setAttribute('aria-sort', 'descending');
        const button = createElement('button', `${column.title}${by === sort ? ' ↓' : ''}`, 'sort-button');
        button.type = 'button';
        button.dataset['sort'] = by;
        button.addEventListener('click', () => this.handlers.onSort(by));
        th.append(button);
      }
      head.append(th);
    }
    return head;
  }

  private renderRow(row: EndpointRow, state: DashboardState): HTMLTableRowElement {
    const tr = createElement('tr');
    const selected = state.endpoint?.method === row.method && state.endpoint.path === row.path;
    if (selected) tr.setAttribute('aria-current', 'true');
    const name = createElement('th');
    name.scope = 'row';
    const label = endpointLabel(row, !state.service);
    const button = createElement('button', label, 'link-button endpoint-link');
    button.type = 'button';
    button.title = endpointLabel(row, true);
    button.dataset['method'] = row.method;
    button.dataset['path'] = row.path;
    button.dataset['service'] = row.service;
    button.setAttribute('aria-label', `Drill down into ${endpointLabel(row, true)}`);
    button.addEventListener('click', () => this.handlers.onDrill(row));
    name.append(button);
    if (row.overflow) {
      const badge = createElement('span', 'overflow', 'badge');
      badge.title = 'Paths past the service route budget are folded into this route';
      name.append(badge);
    }
    tr.append(
      name,
      ...COLUMNS.map((c) => createElement('td', c.cell(row), c.optional ? 'optional' : undefined)),
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
