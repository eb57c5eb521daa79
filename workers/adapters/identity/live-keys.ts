import type { Logger } from 'pino';
import type { ApiKeyEntry } from '../../domain/api-keys.js';
import { KeyRing, type KeyAccess } from '../../domain/key-ring.js';
import { toRingEntry } from '../../domain/managed-keys.js';
import { ObjectStoreUnavailableError } from '../object-store/object-store.js';
import type { ObjectKeyStore } from './key-store.js';

export interface LiveKeysOptions {
  /** The keys file's entries (GRAVIX_API_KEYS_FILE): always accepted, never changed through the API. */
  fileKeys: readonly ApiKeyEntry[];
  store: ObjectKeyStore;
  /** How often the store's document is checked for a new version (GRAVIX_KEYS_RELOAD_MS). */
  reloadMs: number;
  /** How often this instance writes when each key was last used. */
  usageFlushMs: number;
  instance: string;
  log: Logger;
}

/**
 * The keys a server accepts, reloaded off the request path: a timer HEADs the managed keys document every
 * `reloadMs` and rebuilds the ring only when its etag changed. Requests read the current ring (a field read) and
 * note use in a map; a timer writes the map to this instance's usage file. A store outage keeps the last ring: keys
 * that worked keep working, and a revoke made meanwhile applies once the store answers again.
 */
export class LiveKeys implements KeyAccess {
  private current: KeyRing;
  private etag: string | undefined;
  /** Whether a read has succeeded: with no document yet, etag and version are both undefined and equal. */
  private loaded = false;
  private readonly usage = new Map<string, number>();
  private usageDirty = false;
  private timers: NodeJS.Timeout[] = [];
  private reloading: Promise<void> | undefined;

  private constructor(private readonly options: LiveKeysOptions) {
    this.current = new KeyRing(options.fileKeys);
  }

  /** Loads the store's keys once (a failure is logged, the file's keys serve), then keeps them fresh. */
  static async start(options: LiveKeysOptions): Promise<LiveKeys> {
    const keys = new LiveKeys(options);
    await keys.reload();
    keys.timers.push(setInterval(() => void keys.reload(), options.reloadMs).unref());
    keys.timers.push(setInterval(() => void keys.flushUsage(), options.usageFlushMs).unref());
    return keys;
  }

  ring(): KeyRing {
    return this.current;
  }

  used(keyId: string, now: number): void {
    this.usage.set(keyId, now);
    this.usageDirty = true;
  }

  /** Reloads now if the document changed; concurrent callers share one reload. */
  reload(): Promise<void> {
    this.reloading ??= this.reloadOnce().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async reloadOnce(): Promise<void> {
    const { store, fileKeys, log } = this.options;
    try {
      const version = await store.version();
      // Without the `loaded` check a pipeline with no managed keys document re-read and logged every tick.
      if (this.loaded && version === this.etag) return;
      const { doc, etag } = await store.read();
      this.current = new KeyRing([...fileKeys, ...doc.keys.map(toRingEntry)]);
      this.etag = etag;
      this.loaded = true;
      log.info({ keys: this.current.size, etag }, 'api keys reloaded');
    } catch (err) {
      // A store outage is an expected state (ingest keeps accepting into its WAL): a warning, like the uploader's.
      // Anything else, e.g. a keys document that no longer parses, needs a person.
      const level = err instanceof ObjectStoreUnavailableError ? 'warn' : 'error';
      log[level]({ err }, 'api keys reload failed; the previous keys stay in force');
    }
  }

  async flushUsage(): Promise<void> {
    if (!this.usageDirty) return;
    this.usageDirty = false;
    try {
      await this.options.store.writeUsage(this.options.instance, this.usage);
    } catch (err) {
      this.usageDirty = true;
      this.options.log.warn({ err }, 'writing key usage failed; retried on the next flush');
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.flushUsage();
  }
}
