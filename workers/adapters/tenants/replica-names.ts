import type { Logger } from 'pino';
import type { ObjectStore } from '../object-store/object-store.js';
import { ingestCardinalityKey, ingestCardinalityPrefix } from '../../domain/identity-layout.js';
import { replicaNamesSchema, type ReplicaNames } from '../../domain/cardinality-shares.js';

/** The route budget's side of the exchange: which tenants share names, what this replica admitted, its restart. */
export interface NamesSource {
  tenantIds(): string[];
  names(tenant: string): ReplicaNames['services'];
  resume(tenant: string, services: ReplicaNames['services']): void;
}

export interface ReplicaNamesOptions {
  store: ObjectStore;
  source: NamesSource;
  /** Receives every other replica's announcements after each exchange. */
  observe: (announced: readonly ReplicaNames[]) => void;
  /** Tenants whose names are shared: those with a services or routes-per-service quota. */
  shared: (tenant: string) => boolean;
  self: string;
  log: Logger;
}

/**
 * Announces the names this ingest replica admitted for each tenant with a cardinality quota, and reads the other
 * replicas' (docs/adr/0090): identity/ingest-cardinality/<tenant>/<replica>.json, each written only by its replica
 * (plain puts) and only when it changed; another replica's object is read again only when its etag changed, so a
 * steady tenant costs one list per exchange. Run on the beat's interval by the ingest server.
 */
export class ReplicaNamesExchange {
  private readonly written = new Map<string, string>();
  private readonly read = new Map<string, { etag: string; names: ReplicaNames }>();
  private running: Promise<void> | undefined;

  constructor(private readonly options: ReplicaNamesOptions) {}

  /** This replica's own announcements from before a restart go back into its budget; the others are observed. */
  async start(): Promise<void> {
    const { source, self } = this.options;
    try {
      await this.readAll();
      for (const { names } of this.read.values())
        if (names.replica === self) source.resume(names.tenant, names.services);
      this.publish();
    } catch (err) {
      this.options.log.warn({ err }, 'ingest cardinality names not read at start: this replica starts alone');
    }
  }

  /** One exchange now: write ours that changed, read the others'. Concurrent callers share it. */
  tick(): Promise<void> {
    this.running ??= this.exchange().finally(() => (this.running = undefined));
    return this.running;
  }

  private async exchange(): Promise<void> {
    try {
      await this.writeOwn();
      await this.readAll();
      this.publish();
    } catch (err) {
      this.options.log.warn({ err }, 'ingest cardinality names exchange failed: the last names are kept');
    }
  }

  private async writeOwn(): Promise<void> {
    const { source, shared, self, store } = this.options;
    for (const tenant of source.tenantIds()) {
      if (!shared(tenant)) continue;
      const services = source.names(tenant);
      const text = JSON.stringify(services);
      if (this.written.get(tenant) === text) continue;
      const doc: ReplicaNames = { replica: self, tenant, at: Date.now(), services };
      await store.put(ingestCardinalityKey(tenant, self), new TextEncoder().encode(JSON.stringify(doc)), {
        contentType: 'application/json',
      });
      this.written.set(tenant, text);
    }
  }

  private async readAll(): Promise<void> {
    const { store, log } = this.options;
    const listed = await store.list(ingestCardinalityPrefix);
    const present = new Set(listed.map((o) => o.key));
    for (const key of this.read.keys()) if (!present.has(key)) this.read.delete(key);
    for (const { key, etag } of listed) {
      if (this.read.get(key)?.etag === etag) continue;
      const object = await store.get(key);
      if (!object) continue;
      try {
        const names = replicaNamesSchema.parse(JSON.parse(new TextDecoder().decode(object.body)));
        this.read.set(key, { etag: object.etag, names });
      } catch (err) {
        log.warn({ key, err }, 'ingest cardinality names unreadable: skipped');
      }
    }
  }

  private publish(): void {
    this.options.observe(
      [...this.read.values()].map((r) => r.names).filter((n) => n.replica !== this.options.self),
    );
  }
}
