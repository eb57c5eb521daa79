import type { Logger } from 'pino';
import type { ApiKeyEntry } from '../../domain/api-keys.js';
import { KeyRing, type KeyAccess } from '../../domain/key-ring.js';
import { toRingEntry } from '../../domain/managed-keys.js';
import { ObjectStoreUnavailableError } from '../object-store/object-store.js';
import type { ObjectKeyStore } from './key-store.js';
import type { FileKeySource } from './keys-file.js';

export interface LiveKeysOptions {
  /**
   * The keys file (GRAVIX_API_KEYS_FILE): always accepted, never changed through the API; polled on every reload
   * tick, so a rotated Secret applies within `reloadMs` of the kubelet updating the file (docs/adr/0112).
   */
  fileKeys: FileKeySource;
  store: ObjectKeyStore;
  /** How often the store's document is checked for a new version (GRAVIX_KEYS_RELOAD_MS). */
  reloadMs: number;
  /** How often this instance writes when each key was last used. */
  usageFlushMs: number;
  instance: string;
  log: Logger;
}

/**
 * The keys a server accepts, reloaded off the request path: a timer stats the keys file and HEADs the managed keys
 * document every `reloadMs` and rebuilds the ring only when either changed. Requests read the current ring (a field
 * read) and note use in a map; a timer writes the map to this instance's usage file. A store outage keeps the last
 * managed keys (keys that worked keep working, and a revoke made meanwhile applies once the store answers again)
 * and does not hold back a change of the file; a bad file keeps its last good keys (keys-file.ts).
 */
export class LiveKeys implements KeyAccess {
  private current: KeyRing;
  private managed: ApiKeyEntry[] = [];
  private etag: string | undefined;
  /** Whether a read has succeeded: with no document yet, etag and version are both undefined and equal. */
  private loaded = false;
  private readonly usage = new Map<string, number>();
  private usageDirty = false;
  private timers: NodeJS.Timeout[] = [];
  private reloading: Promise<void> | undefined;

  private constructor(private readonly options: LiveKeysOptions) {
    this.current = new KeyRing(options.fileKeys.entries());
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

  /**
   * The keys file's keys as the file is now, for the key API (list, and the name rule of create). Each server polls
   * the file on its own tick, so without this reload a listing made just after a change showed the version before
   * it (a rotation by file without its window, issue #22) while another server already used the new one. The reload
   * also moves the ring, so what is listed is what this server accepts. A reload under way may have polled before
   * this call: it is waited for, then one more runs (joined with any started since).
   */
  async fileEntries(): Promise<readonly ApiKeyEntry[]> {
    await this.reloading;
    await this.reload();
    return this.options.fileKeys.entries();
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
    const fileChanged = this.options.fileKeys.poll();
    const storeChanged = await this.reloadStore();
    if (fileChanged || storeChanged)
      this.current = new KeyRing([...this.options.fileKeys.entries(), ...this.managed]);
    if (storeChanged)
      this.options.log.info({ keys: this.current.size, etag: this.etag }, 'api keys reloaded');
  }

  /** Reads the managed keys document when its etag moved; true when it did. */
  private async reloadStore(): Promise<boolean> {
    const { store, log } = this.options;
    try {
      const version = await store.version();
      // Without the `loaded` check a pipeline with no managed keys document re-read and logged every tick.
      if (this.loaded && version === this.etag) return false;
      const { doc, etag } = await store.read();
      this.managed = doc.keys.map(toRingEntry);
      this.etag = etag;
      this.loaded = true;
      return true;
    } catch (err) {
      // A store outage is an expected state (ingest keeps accepting into its WAL): a warning, like the uploader's.
      // Anything else, e.g. a keys document that no longer parses, needs a person.
      const level = err instanceof ObjectStoreUnavailableError ? 'warn' : 'error';
      log[level]({ err }, 'api keys reload failed; the previous keys stay in force');
      return false;
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
