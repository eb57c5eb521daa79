const KEY = 'gravix.token';

/**
 * The query API token lives in localStorage so a bookmark opens straight into the dashboard. Storage can be
 * unavailable (private mode, blocked cookies); then the token lasts for the page's life only.
 */
export class TokenStore {
  private memory: string | null = null;

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null) {}

  get(): string | null {
    try {
      return this.storage?.getItem(KEY) ?? this.memory;
    } catch {
      return this.memory;
    }
  }

  set(token: string): void {
    this.memory = token;
    try {
      this.storage?.setItem(KEY, token);
    } catch {
      // Storage refused (quota or policy): the in-memory copy still works for this page.
    }
  }

  clear(): void {
    this.memory = null;
    try {
      this.storage?.removeItem(KEY);
    } catch {
      // Nothing stored to remove.
    }
  }
}
