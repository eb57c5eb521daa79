/**
 * The theme rule, shared by the boot script in <head> (theme-boot.ts, before the first paint) and the switch in
 * the top bar (views/theme-switch.ts), so both always pick the same palette. No imports: theme-boot.js is a few
 * hundred bytes that block the page's first paint.
 */
export type ThemeChoice = 'auto' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

/** Where a pick is kept in this browser. */
export const THEME_KEY = 'gravix.theme';

export function parseThemeChoice(raw: string | null): ThemeChoice {
  return raw === 'light' || raw === 'dark' ? raw : 'auto';
}

/** The user's pick wins; until there is one, the system's prefers-color-scheme. */
export function resolveTheme(choice: ThemeChoice, systemDark: boolean): Theme {
  return choice === 'dark' || (choice === 'auto' && systemDark) ? 'dark' : 'light';
}
