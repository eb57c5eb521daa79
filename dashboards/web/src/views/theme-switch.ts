import { readPreference, writePreference } from './stored-preference.js';
import { requireElement } from './require-element.js';

export type ThemeChoice = 'auto' | 'light' | 'dark';
const KEY = 'gravix.theme';

export function parseThemeChoice(raw: string | null): ThemeChoice {
  return raw === 'light' || raw === 'dark' ? raw : 'auto';
}

/**
 * The light/dark switch in the top bar. Until the user picks one, the page follows the system's
 * prefers-color-scheme (also when it changes while the page is open); a pick is kept in this browser and wins.
 * The palette is applied as data-theme on <html> (app.css).
 */
export class ThemeSwitch {
  private readonly select = requireElement('theme-select', HTMLSelectElement);
  private readonly system = window.matchMedia('(prefers-color-scheme: dark)');
  private choice = parseThemeChoice(readPreference(KEY));

  start(): void {
    this.select.value = this.choice;
    this.apply();
    this.system.addEventListener('change', () => this.apply());
    this.select.addEventListener('change', () => {
      this.choice = parseThemeChoice(this.select.value);
      writePreference(KEY, this.choice === 'auto' ? null : this.choice);
      this.apply();
    });
  }

  private apply(): void {
    const dark = this.choice === 'dark' || (this.choice === 'auto' && this.system.matches);
    document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';
  }
}
