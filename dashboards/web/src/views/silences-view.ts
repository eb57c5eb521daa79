import type { AlertsApi } from '../api/alerts-api.js';
import { describeApiError } from '../api/api-errors.js';
import type { FiringAlert } from '../domain/alert-summary.js';
import {
  SILENCE_DURATIONS,
  buildSilenceRequest,
  buildSilenceRows,
  silenceTarget,
} from '../domain/silence-form.js';
import { formatInstant } from '../domain/scale.js';
import { createElement, requireElement } from './require-element.js';

/**
 * Silences on the alerts page, for operators and admins only (a viewer sees neither the buttons nor the list, and
 * the API answers a viewer's call 403 anyway): a *Silence* button per firing alert opens the form (duration and
 * comment) that creates one through POST /api/v1/alert-silences; the silences in force are listed with their end
 * and an *Expire now*.
 */
export class SilencesView {
  private readonly card = requireElement('silences-card', HTMLElement);
  private readonly form = requireElement('silence-form', HTMLFormElement);
  private readonly target = requireElement('silence-target', HTMLParagraphElement);
  private readonly duration = requireElement('silence-duration', HTMLSelectElement);
  private readonly comment = requireElement('silence-comment', HTMLInputElement);
  private readonly status = requireElement('silence-status', HTMLParagraphElement);
  private readonly table = requireElement('silences-table', HTMLDivElement);
  private allowed = false;
  private chosen: FiringAlert | null = null;
  private timeZone: string | undefined;

  constructor(private readonly api: AlertsApi) {
    for (const d of SILENCE_DURATIONS) this.duration.add(new Option(d.label, d.key));
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.create();
    });
    requireElement('silence-cancel', HTMLButtonElement).addEventListener('click', () => this.closeForm());
    this.table.addEventListener('click', (event) => void this.expire(event.target));
  }

  /** Reads who the page acts as and, for operators, the silences; the card stays hidden for anyone else. */
  async load(timeZone: string | undefined): Promise<void> {
    this.timeZone = timeZone;
    try {
      const me = await this.api.whoami();
      this.allowed = me.scopes.includes('operator') || me.scopes.includes('admin');
    } catch {
      this.allowed = false;
    }
    this.card.hidden = !this.allowed;
    if (this.allowed) await this.loadList();
  }

  /** The firing row's *Silence* button; null for people who may not silence. */
  buttonFor(alert: FiringAlert): HTMLButtonElement | null {
    if (!this.allowed) return null;
    const button = createElement('button', 'Silence', 'silence-button');
    button.type = 'button';
    button.setAttribute('aria-label', `Silence ${silenceTarget(alert)}`);
    button.addEventListener('click', () => this.openForm(alert));
    return button;
  }

  private openForm(alert: FiringAlert): void {
    this.chosen = alert;
    this.target.textContent = `Silence ${silenceTarget(alert)}`;
    this.form.hidden = false;
    this.duration.focus();
  }

  private closeForm(): void {
    this.chosen = null;
    this.form.hidden = true;
    this.comment.value = '';
  }

  private async create(): Promise<void> {
    const alert = this.chosen;
    if (!alert) return;
    const request = buildSilenceRequest(alert, this.duration.value, this.comment.value, Date.now());
    try {
      const silence = await this.api.createSilence(request);
      this.closeForm();
      this.say(`Silenced ${silenceTarget(alert)} until ${formatInstant(silence.expiresAt, this.timeZone)}.`);
      await this.loadList();
    } catch (error) {
      this.say(describeApiError(error), true);
    }
  }

  private async expire(target: EventTarget | null): Promise<void> {
    if (!(target instanceof HTMLButtonElement) || !target.dataset['expire']) return;
    target.disabled = true;
    try {
      await this.api.expireSilence(target.dataset['expire']);
      this.say('Silence expired.');
      await this.loadList();
    } catch (error) {
      this.say(describeApiError(error), true);
      target.disabled = false;
    }
  }

  private async loadList(): Promise<void> {
    try {
      this.render(await this.api.silences());
    } catch (error) {
      this.table.replaceChildren();
      this.say(`Could not read the silences: ${describeApiError(error)}`, true);
    }
  }

  private render(silences: Awaited<ReturnType<AlertsApi['silences']>>): void {
    const rows = buildSilenceRows(silences, Date.now(), this.timeZone);
    if (rows.length === 0) {
      this.table.replaceChildren(createElement('p', 'No silence in force.', 'muted'));
      return;
    }
    const table = createElement('table');
    table.createCaption().textContent = 'Silences in force';
    const head = table.createTHead().insertRow();
    for (const h of ['Matches', 'Ends', 'Comment', 'Created by', '']) head.append(createElement('th', h));
    const body = table.createTBody();
    for (const r of rows) {
      const row = body.insertRow();
      row.dataset['id'] = r.id;
      const expire = createElement('button', 'Expire now');
      expire.type = 'button';
      expire.dataset['expire'] = r.id;
      const cell = createElement('td');
      cell.append(expire);
      row.append(
        createElement('td', r.matches),
        createElement('td', r.expires),
        createElement('td', r.comment),
        createElement('td', r.createdBy),
        cell,
      );
    }
    this.table.replaceChildren(table);
  }

  private say(text: string, failed = false): void {
    this.status.textContent = text;
    this.status.classList.toggle('field-error', failed);
  }
}
