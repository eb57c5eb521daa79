import { readPreference, writePreference } from './stored-preference.js';
import { requireElement } from './require-element.js';
import { parseThemeChoice, resolveTheme, THEME_KEY as KEY } from '../domain/theme-choice.js';

/**
 * The light/dark switch in the top bar. Until the user picks one, the page follows the system's
 * prefers-color-scheme (also when it changes while the page is open); a pick is kept in this browser and wins.
 * The palette is applied as data-theme on <html> (app.css); theme-boot.ts applied the same rule before the first
 * paint, so starting here changes nothing on screen.
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
    document.documentElement.dataset['theme'] = resolveTheme(this.choice, this.system.matches);
  }
}
