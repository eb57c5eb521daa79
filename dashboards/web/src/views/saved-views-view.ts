import type { SavedView } from '../../../../workers/query/domain/saved-views-doc.js';
import { ApiUnauthorizedError, describeApiError } from '../api/api-errors.js';
import type { ViewsApi } from '../api/views-api.js';
import { buildDashboardSearch, parseDashboardState } from '../domain/dashboard-state.js';
import { stateFromView, viewFromState } from '../domain/saved-view-state.js';
import { createElement, requireElement } from './require-element.js';

/**
 * The *Saved views* bar under the filters: open one of the tenant's named views (everyone who reads the tenant),
 * save the page as a view, rename or delete the chosen one (operators; the bar hides those for viewers, and the
 * API decides anyway). Opening a view is a navigation: the page's URL becomes the view's and the dashboard loads it
 * as it loads any bookmark (its popstate path), so the back button returns to where the user was.
 */
export class SavedViewsView {
  private readonly section = requireElement('saved-views', HTMLElement);
  private readonly select = requireElement('saved-view-select', HTMLSelectElement);
  private readonly form = requireElement('saved-view-form', HTMLFormElement);
  private readonly name = requireElement('saved-view-name', HTMLInputElement);
  private readonly rename = requireElement('saved-view-rename', HTMLButtonElement);
  private readonly remove = requireElement('saved-view-delete', HTMLButtonElement);
  private readonly status = requireElement('saved-view-status', HTMLParagraphElement);
  private views: SavedView[] = [];
  private loaded = false;

  constructor(private readonly api: ViewsApi) {}

  start(): void {
    this.select.addEventListener('change', () => this.open());
    // The list may have changed elsewhere (another operator, another tab): read it again when it is looked at.
    this.select.addEventListener('focus', () => void this.refresh());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.save();
    });
    this.rename.addEventListener('click', () => void this.renameChosen());
    this.remove.addEventListener('click', () => void this.deleteChosen());
    // A token login (the login form) makes the list readable: read it once the token is stored.
    requireElement('login-form', HTMLFormElement).addEventListener('submit', () =>
      window.setTimeout(() => void this.refresh(), 0),
    );
    void this.refresh();
  }

  /** Reads who the page acts as (write controls for operators) and the list; a 401 leaves the bar hidden. */
  async refresh(): Promise<void> {
    try {
      const me = await this.api.whoami();
      const writes = me.scopes.includes('operator') || me.scopes.includes('admin');
      this.form.hidden = !writes;
      this.rename.hidden = !writes;
      this.remove.hidden = !writes;
      this.render(await this.api.list(), this.select.value);
      this.section.hidden = false;
      this.loaded = true;
    } catch (error) {
      if (error instanceof ApiUnauthorizedError) this.section.hidden = true;
      else if (this.loaded) this.say(`Could not read the saved views: ${describeApiError(error)}`, true);
    }
  }

  private render(views: SavedView[], chosen: string): void {
    this.views = views;
    const placeholder = createElement('option', views.length ? 'Open a saved view…' : 'No saved views yet');
    placeholder.value = '';
    const options = views.map((view) => {
      const option = createElement('option', view.name);
      option.value = view.id;
      return option;
    });
    this.select.replaceChildren(placeholder, ...options);
    this.select.value = views.some((v) => v.id === chosen) ? chosen : '';
    this.updateButtons();
  }

  private updateButtons(): void {
    const chosen = this.chosen();
    this.rename.disabled = chosen === undefined;
    this.remove.disabled = chosen === undefined;
    if (chosen) this.name.value = chosen.name;
  }

  private chosen(): SavedView | undefined {
    return this.views.find((v) => v.id === this.select.value);
  }

  private open(): void {
    this.updateButtons();
    const view = this.chosen();
    if (!view) return;
    const search = buildDashboardSearch(stateFromView(view.view));
    window.history.pushState(null, '', `${window.location.pathname}${search}`);
    // The dashboard reads the URL on popstate, as for the back button.
    window.dispatchEvent(new PopStateEvent('popstate'));
    this.say(`Opened “${view.name}”.`);
  }

  private async save(): Promise<void> {
    const view = viewFromState(parseDashboardState(window.location.search));
    try {
      const saved = await this.api.create(this.name.value, view);
      this.render(
        [...this.views, saved].sort((a, b) => a.name.localeCompare(b.name, 'en')),
        saved.id,
      );
      this.say(`Saved “${saved.name}”.`);
    } catch (error) {
      this.say(describeApiError(error), true);
    }
  }

  private async renameChosen(): Promise<void> {
    const view = this.chosen();
    if (!view) return;
    try {
      const renamed = await this.api.rename(view.id, this.name.value);
      this.render(
        this.views
          .map((v) => (v.id === renamed.id ? renamed : v))
          .sort((a, b) => a.name.localeCompare(b.name, 'en')),
        renamed.id,
      );
      this.say(`Renamed “${view.name}” to “${renamed.name}”.`);
    } catch (error) {
      this.say(describeApiError(error), true);
    }
  }

  private async deleteChosen(): Promise<void> {
    const view = this.chosen();
    if (!view || !window.confirm(`Delete the saved view “${view.name}” for everyone in this tenant?`)) return;
    try {
      await this.api.remove(view.id);
      this.render(
        this.views.filter((v) => v.id !== view.id),
        '',
      );
      this.name.value = '';
      this.say(`Deleted “${view.name}”.`);
    } catch (error) {
      this.say(describeApiError(error), true);
    }
  }

  private say(text: string, failed = false): void {
    this.status.textContent = text;
    this.status.classList.toggle('field-error', failed);
  }
}
