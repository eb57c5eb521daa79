import { parseThemeChoice, resolveTheme, THEME_KEY } from './domain/theme-choice.js';

/**
 * Sets data-theme on <html> before the first paint. index.html loads this as a classic script in <head>, so the
 * parser runs it before it reaches <body>; the app module runs after parsing, and a dark page would otherwise be
 * painted light for a frame or more (issue #19). It is a file of its own because the CSP allows no inline
 * script (docs/adr/0095). theme-switch.ts takes over once the app runs.
 */
function storedChoice(): string | null {
  try {
    return window.localStorage.getItem(THEME_KEY);
  } catch {
    // Storage refused (private mode, policy): the system's preference decides.
    return null;
  }
}

const systemDark = window.matchMedia('(prefers-color-scheme: dark)').matches;
document.documentElement.dataset['theme'] = resolveTheme(parseThemeChoice(storedChoice()), systemDark);
