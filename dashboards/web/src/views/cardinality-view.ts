import type { StoredCardinalityResponse } from '../../../../workers/query/api-types.js';
import { buildCardinalityPanel } from '../domain/cardinality-panel.js';
import { createElement, requireElement } from './require-element.js';

/**
 * The cardinality panel of "all services": distinct services and routes stored over the range, what the budgets
 * folded into overflow, and the services with the most folded routes (GET /api/v1/stored-cardinality).
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
      const table = createElement('table');
      table.createCaption().textContent = 'Services with the most requests in /:overflow';
      const head = table.createTHead().insertRow();
      for (const h of ['Service', 'Requests in /:overflow']) {
        const th = createElement('th', h);
        th.scope = 'col';
        head.append(th);
      }
      const tbody = table.createTBody();
      for (const o of panel.offenders) {
        const tr = createElement('tr');
        tr.dataset['service'] = o.service;
        tr.append(createElement('td', o.service), createElement('td', o.requests, 'num'));
        tbody.append(tr);
      }
      parts.push(table);
    }
    this.body.replaceChildren(...parts);
  }
}
