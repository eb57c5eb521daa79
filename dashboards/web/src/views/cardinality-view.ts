import type { StoredCardinalityResponse } from '../../../../workers/query/api-types.js';
import { buildCardinalityPanel } from '../domain/cardinality-panel.js';
import { createElement, requireElement } from './require-element.js';

/**
 * The cardinality panel of "all services": distinct services, routes and service-map edges stored over the range,
 * what the budgets folded into overflow, and the services (callers) with the most folded routes (edges)
 * (GET /api/v1/stored-cardinality).
 */
export class CardinalityView {
  private readonly section = requireElement('cardinality', HTMLElement);
  private readonly body = requireElement('cardinality-body', HTMLDivElement);

  hide(): void {
    this.section.hidden = true;
  }

  render(report: StoredCardinalityResponse): void {
    const panel = buildCardinalityPanel(report);
    this.section.hidden = false;
    this.section.classList.toggle('warning', panel.folded);
    const list = createElement('ul');
    for (const line of panel.lines) list.append(createElement('li', line));
    const parts: HTMLElement[] = [list];
    if (panel.offenders.length > 0) {
      const rows = panel.offenders.map((o) => [o.service, o.requests] as const);
      parts.push(
        offendersTable(
          'Services with the most requests in /:overflow',
          ['Service', 'Requests in /:overflow'],
          rows,
          'service',
        ),
      );
    }
    if (panel.edgeOffenders.length > 0) {
      const rows = panel.edgeOffenders.map((o) => [o.caller, o.calls] as const);
      parts.push(
        offendersTable(
          'Callers with the most calls to :overflow (service map)',
          ['Caller', 'Calls to :overflow'],
          rows,
          'caller',
        ),
      );
    }
    this.body.replaceChildren(...parts);
  }
}

/** A table of the names with the most folded requests; each row carries its name (data-service / data-caller). */
function offendersTable(
  caption: string,
  headings: readonly [string, string],
  rows: readonly (readonly [string, string])[],
  key: 'service' | 'caller',
): HTMLTableElement {
  const table = createElement('table');
  table.createCaption().textContent = caption;
  const head = table.createTHead().insertRow();
  for (const h of headings) {
    const th = createElement('th', h);
    th.scope = 'col';
    head.append(th);
  }
  const tbody = table.createTBody();
  for (const [name, count] of rows) {
    const tr = createElement('tr');
    tr.dataset[key] = name;
    tr.append(createElement('td', name), createElement('td', count, 'num'));
    tbody.append(tr);
  }
  return table;
}
