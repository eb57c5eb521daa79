import type { Logger } from 'pino';
import type { ObjectStore } from '../object-store/object-store.js';
import { ingestReplicaKey, ingestReplicaPrefix } from '../../domain/identity-layout.js';
import { replicaBeatSchema, type ReplicaBeat } from '../../domain/quota-replicas.js';

/** Every replica's last beat in the store; an unreadable or malformed one is skipped (and logged), never fatal. */
export async function loadReplicaBeats(store: ObjectStore, log: Logger): Promise<ReplicaBeat[]> {
  const listed = await store.list(ingestReplicaPrefix);
  const beats = await Promise.all(listed.map(({ key }) => loadBeat(store, key, log)));
  return beats.filter((b): b is ReplicaBeat => b !== undefined);
}

async function loadBeat(store: ObjectStore, key: string, log: Logger): Promise<ReplicaBeat | undefined> {
  const object = await store.get(key);
  if (!object) return undefined; // deleted between list and get
  try {
    return replicaBeatSchema.parse(JSON.parse(new TextDecoder().decode(object.body)));
  } catch (err) {
    log.warn({ key, err }, 'ingest replica beat unreadable: skipped');
    return undefined;
  }
}

/** The ledger side the beats feed: what this replica announces and what it learns from the others. */
export interface BeatLedger {
  beat(leaving?: boolean): ReplicaBeat;
  observe(beats: readonly ReplicaBeat[]): void;
  resume(previous: ReplicaBeat): void;
}

export interface ReplicaBeatsOptions {
  store: ObjectStore;
  ledger: BeatLedger;
  self: string;
  /** GRAVIX_QUOTA_BEAT_MS: how often this replica announces itself and reads the others. */
  beatMs: number;
  log: Logger;
}

/**
 * Announces this ingest replica in the store every beat and hands the others' beats to the quota ledger (docs/adr/
 * 0080). Plain puts: each replica writes only its own object. A store outage keeps the last beats; once they go
 * stale the replica falls back to taking the whole quota itself only after the stale window, never before.
 */
export class ReplicaBeats {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  private constructor(private readonly options: ReplicaBeatsOptions) {}

  /** Resumes today's counts from this replica's own last beat, beats once, then keeps beating. */
  static async start(options: ReplicaBeatsOptions): Promise<ReplicaBeats> {
    const beats = new ReplicaBeats(options);
    try {
      const all = await loadReplicaBeats(options.store, options.log);
      const own = all.find((b) => b.replica === options.self);
      if (own) options.ledger.resume(own);
    } catch (err) {
      options.log.warn({ err }, 'ingest replica beats not read at start: quotas start from zero');
    }
    await beats.tick();
    beats.timer = setInterval(() => void beats.tick(), options.beatMs).unref();
    return beats;
  }

  /** One beat now: write ours, read everyone's. Concurrent callers share it. */
  tick(): Promise<void> {
    this.running ??= this.beatOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Says this replica is leaving, so the others take its share of the rate quotas back at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.write(this.options.ledger.beat(true)).catch((err: unknown) =>
      this.options.log.warn({ err }, 'ingest replica leaving beat not written'),
    );
  }

  private async beatOnce(): Promise<void> {
    const { ledger, store, log, self } = this.options;
    try {
      await this.write(ledger.beat());
      ledger.observe((await loadReplicaBeats(store, log)).filter((b) => b.replica !== self));
    } catch (err) {
      log.warn({ err }, 'ingest replica beat failed: quota shares kept from the last beat');
    }
  }

  private async write(beat: ReplicaBeat): Promise<void> {
    const body = new TextEncoder().encode(JSON.stringify(beat));
    await this.options.store.put(ingestReplicaKey(this.options.self), body, {
      contentType: 'application/json',
    });
  }
}
