import { readFileSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { parseApiKeys, type ApiKeyEntry } from '../../domain/api-keys.js';

/** The keys of the keys file as a server holds them: what is in force now, and a way to look for a new version. */
export interface FileKeySource {
  entries(): readonly ApiKeyEntry[];
  /** Re-reads the file if it changed; true when the keys in force changed. Never throws. */
  poll(): boolean;
}

/** Keys that never change (harnesses and tests that build a server without a file). */
export const fixedFileKeys = (entries: readonly ApiKeyEntry[]): FileKeySource => ({
  entries: () => entries,
  poll: () => false,
});

/** What identifies one version of the file: a kubelet swap, an editor's rename or an in-place write changes it. */
function stampOf(path: string): string {
  // statSync follows symlinks: a projected Secret's keys.json -> ..data/keys.json, whose ..data the kubelet swaps.
  const info = statSync(path);
  return `${info.ino}:${info.size}:${info.mtimeMs}`;
}

/**
 * GRAVIX_API_KEYS_FILE, re-read when it changes (docs/adr/0112). On Kubernetes it is a mounted Secret that the
 * kubelet updates by swapping a symlink to a new directory, so a rotated Secret reaches running pods without a
 * restart; the server's key reload timer (GRAVIX_KEYS_RELOAD_MS) calls `poll`, one stat per tick.
 *
 * The first read is strict: a server does not start without valid keys. A later version that cannot be read or
 * does not parse keeps the last good keys in force (a half-written file must not lock every client out, nor let a
 * revoked key back in), logs the problem once per version (never the content), counts it and marks the keys stale
 * until a good version arrives.
 */
export class KeysFile implements FileKeySource {
  private current: readonly ApiKeyEntry[];
  private stamp: string;
  /** Versions of the file that could not be used since start. */
  failures = 0;
  /** Whether the newest version seen is not the one in force. */
  stale = false;

  constructor(
    private readonly path: string,
    private readonly log: Logger,
  ) {
    this.stamp = stampOf(path);
    this.current = parseApiKeys(readFileSync(path, 'utf8'));
  }

  entries(): readonly ApiKeyEntry[] {
    return this.current;
  }

  poll(): boolean {
    let stamp: string;
    try {
      stamp = stampOf(this.path);
    } catch (error) {
      return this.refuse('missing', error);
    }
    if (stamp === this.stamp) return false;
    // Taken before the read: a write that lands after it changes the stamp again and is read at the next poll.
    this.stamp = stamp;
    try {
      this.current = parseApiKeys(readFileSync(this.path, 'utf8'));
    } catch (error) {
      return this.refuse(stamp, error);
    }
    this.stale = false;
    this.log.info({ path: this.path, keys: this.current.length }, 'api keys file reloaded');
    return true;
  }

  private refuse(stamp: string, error: unknown): false {
    // A file that stays missing is one problem, not one per tick.
    if (stamp === 'missing' && this.stamp === 'missing') return false;
    this.stamp = stamp;
    this.failures += 1;
    this.stale = true;
    // The file holds names and digests, never a secret; the parser names fields and rules, a read error the errno.
    const problem = (error as Error).message;
    this.log.error(
      { path: this.path, problem },
      'api keys file not reloaded; the last good keys stay in force',
    );
    return false;
  }
}

/** The keys file's reload health on a server's /metrics. */
export function registerKeysFileMetrics(registry: Registry, file: KeysFile): void {
  new Counter({
    name: 'gravix_api_keys_file_reload_failures_total',
    help: 'Versions of GRAVIX_API_KEYS_FILE that could not be read or parsed (the last good keys stayed in force)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(file.failures);
    },
  });
  new Gauge({
    name: 'gravix_api_keys_file_stale',
    help: '1 while the newest GRAVIX_API_KEYS_FILE could not be used and older keys are in force, else 0',
    registers: [registry],
    collect() {
      this.set(file.stale ? 1 : 0);
    },
  });
}
