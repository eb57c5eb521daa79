import type { BudgetBar, HistoryRow, RuleRow } from '../domain/alerts-page.js';
import { HISTORY_WINDOWS } from '../domain/alerts-page.js';
import type { BannerItem, FiringAlert } from '../domain/alert-summary.js';
import { createElement, requireElement } from './require-element.js';

export interface AlertsPageContent {
  firing: readonly { item: BannerItem; since: string }[];
  rules: readonly RuleRow[];
  history: readonly HistoryRow[];
  budgets: readonly BudgetBar[];
}

/** The alerts page (`#alerts`): firing now, SLO error budgets, each rule's last evaluation, and the history. */
export class AlertsPageView {
  readonly section = requireElement('alerts-page', HTMLElement);
  private readonly error = requireElement('alerts-error', HTMLParagraphElement);
  private readonly firing = requireElement('alerts-firing', HTMLDivElement);
  private readonly budgets = requireElement('alerts-budgets', HTMLDivElement);
  private readonly rules = requireElement('alerts-rules', HTMLDivElement);
  private readonly history = requireElement('alerts-history', HTMLDivElement);
  readonly historyWindow = requireElement('history-window', HTMLSelectElement);
  /** Per firing row, extra controls (the silence button for operators). */
  firingActions: (alert: FiringAlert) => HTMLElement | null = () => null;

  constructor(private readonly onOpen: (search: string) => void) {
    for (const w of HISTORY_WINDOWS) this.historyWindow.add(new Option(w.label, w.key));
    this.historyWindow.value = '24h';
  }

  /**
   * The page replaces the dashboard while it is shown: by a class on <body> (alerts.css), because the login owns
   * `main`'s hidden attribute and sets it on every load.
   */
  show(shown: boolean): void {
    this.section.hidden = !shown;
    document.body.classList.toggle('alerts-shown', shown);
  }

  showError(text: string): void {
    this.error.textContent = text;
  }

  render(content: AlertsPageContent): void {
    this.error.textContent = '';
    this.firing.replaceChildren(this.firingTable(content.firing));
    this.budgets.replaceChildren(budgetList(content.budgets));
    this.rules.replaceChildren(rulesTable(content.rules));
    this.history.replaceChildren(historyTable(content.history));
  }

  private firingTable(rows: AlertsPageContent['firing']): HTMLElement {
    if (rows.length === 0) return createElement('p', 'Nothing fires.', 'muted');
    const table = createTable('Alerts firing now', [
      'Rule',
      'Series',
      'Value',
      'Expected',
      'Since',
      'Why',
      '',
    ]);
    for (const { item, since } of rows) {
      const alert = item.alert;
      const row = table.tBodies[0]!.insertRow();
      row.dataset['rule'] = alert.rule;
      row.dataset['series'] = item.series;
      row.className = `alert-row-${alert.severity ?? 'info'}`;
      const link = createElement('a', item.series);
      link.href = `/${item.search}`;
      link.addEventListener('click', (event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        this.onOpen(item.search);
      });
      const seriesCell = createElement('td');
      seriesCell.append(link);
      const actions = createElement('td', undefined, 'actions');
      const extra = this.firingActions(alert);
      if (extra) actions.append(extra);
      row.append(
        createElement('td', alert.rule),
        seriesCell,
        createElement('td', alert.value, 'num'),
        createElement('td', alert.expected),
        createElement('td', since),
        createElement('td', alert.explanation),
        actions,
      );
    }
    return table;
  }
}

function createTable(caption: string, headings: readonly string[]): HTMLTableElement {
  const table = createElement('table');
  table.createCaption().textContent = caption;
  const head = table.createTHead().insertRow();
  for (const h of headings) head.append(createElement('th', h));
  table.createTBody();
  return table;
}

function rulesTable(rows: readonly RuleRow[]): HTMLElement {
  if (rows.length === 0) return createElement('p', 'No rule has been evaluated yet.', 'muted');
  const table = createTable('Each rule’s last evaluation', [
    'Rule',
    'State',
    'Value',
    'Firing',
    'Evaluated',
    'Error',
  ]);
  for (const r of rows) {
    const row = table.tBodies[0]!.insertRow();
    row.dataset['rule'] = r.rule;
    row.append(
      createElement('td', r.rule),
      createElement('td', r.state, `rule-state rule-state-${r.state}`),
      createElement('td', r.value, 'num'),
      createElement('td', String(r.firing), 'num'),
      createElement('td', r.evaluated),
      createElement('td', r.error, r.error ? 'field-error' : undefined),
    );
  }
  return table;
}

function historyTable(rows: readonly HistoryRow[]): HTMLElement {
  if (rows.length === 0) return createElement('p', 'No alert fired or resolved in this window.', 'muted');
  const table = createTable('Fired and resolved', [
    'Event',
    'Rule',
    'Series',
    'Started',
    'Ended',
    'Lasted',
    'Value',
    'Why',
  ]);
  for (const h of rows) {
    const row = table.tBodies[0]!.insertRow();
    row.dataset['id'] = h.id;
    row.dataset['kind'] = h.kind;
    row.append(
      createElement('td', h.kind, `history-${h.kind}`),
      createElement('td', h.rule),
      createElement('td', h.series),
      createElement('td', h.startsAt),
      createElement('td', h.endsAt),
      createElement('td', h.lasted),
      createElement('td', h.value, 'num'),
      createElement('td', h.explanation),
    );
  }
  return table;
}

/** One labelled bar per SLO series: the filled part is the budget left, its colour how worried to be. */
function budgetList(bars: readonly BudgetBar[]): HTMLElement {
  if (bars.length === 0) return createElement('p', 'No SLO rule has been evaluated yet.', 'muted');
  const list = createElement('ul', undefined, 'budget-list');
  for (const b of bars) {
    const li = createElement('li', undefined, `budget budget-${b.level}`);
    li.dataset['series'] = b.series;
    li.dataset['remaining'] = String(b.remainingPct);
    const label = createElement('span', `${b.series} · ${b.rule}`, 'budget-label');
    const meter = createElement('span', undefined, 'budget-bar');
    meter.setAttribute('role', 'meter');
    meter.setAttribute('aria-valuemin', '0');
    meter.setAttribute('aria-valuemax', '100');
    meter.setAttribute('aria-valuenow', String(b.widthPct));
    meter.setAttribute('aria-label', `${b.series}: ${b.text}`);
    const fill = createElement('span', undefined, 'budget-fill');
    fill.style.width = `${b.widthPct}%`;
    meter.append(fill);
    li.append(label, meter, createElement('span', b.text, 'budget-text'));
    list.append(li);
  }
  return list;
}
