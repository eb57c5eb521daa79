/**
 * A display preference kept in this browser (theme, hidden chart series). Storage can be unavailable (private
 * mode, blocked cookies): then the choice lasts for the page's life only, and nothing fails.
 */
export function readPreference(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writePreference(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // Storage refused (quota or policy): the page keeps the choice in memory.
  }
}
