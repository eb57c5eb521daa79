import type { Logger } from 'pino';
import type { AlertEvent, OutboxEntry } from '../domain/alert-state.js';
import { silenceMatches, type Silence } from '../domain/silence.js';
import { sendToChannel, type SendContext, type SendResult } from '../adapters/channel-sender.js';
import type { ChannelDefinition } from '../adapters/notification-channels.js';
import type { AlertStore } from '../adapters/alert-store.js';
import type { AlertMetrics } from './alert-metrics.js';

export interface NotifierOptions {
  /** The channels now: read on every use, so a rotated URL or key applies from the next attempt (ChannelSource). */
  channels: () => readonly ChannelDefinition[];
  store: AlertStore;
  metrics: AlertMetrics;
  log: Logger;
  send: SendContext;
  /** Attempts per channel within one tick, with exponential backoff from backoffMs. */
  attempts: number;
  backoffMs: number;
  /** An entry still failing after this long is abandoned (recorded, counted, logged). */
  giveUpAfterMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** Alternative sender (the channel sender by default); kept injectable for the retry unit test only. */
  sender?: typeof sendToChannel;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Delivers outbox entries: one message per channel carrying every event due to it (alerts that fired together
 * arrive together), retried with backoff, every attempt recorded in the store. Returns what is still owed.
 */
export class Notifier {
  constructor(private readonly options: NotifierOptions) {}

  private channel(name: string): ChannelDefinition | undefined {
    return this.options.channels().find((c) => c.name === name);
  }

  hasChannel(name: string): boolean {
    return this.channel(name) !== undefined;
  }

  isAlertmanager(name: string): boolean {
    return this.channel(name)?.type === 'alertmanager';
  }

  async deliver(outbox: readonly OutboxEntry[], silences: readonly Silence[]): Promise<OutboxEntry[]> {
    const now = this.options.send.now();
    const channels = new Set(outbox.flatMap((e) => e.pending));
    const failed = new Map<string, Set<string>>();
    for (const name of channels) {
      const due = outbox.filter((e) => e.pending.includes(name)).map((e) => e.event);
      const audible = due.filter((e) => !silences.some((s) => silenceMatches(s, e, now)));
      if (audible.length < due.length)
        this.options.metrics.notifications.inc(
          { channel: name, outcome: 'silenced' },
          due.length - audible.length,
        );
      if (audible.length === 0) continue;
      const ok = await this.sendWithRetries(name, audible);
      if (!ok) failed.set(name, new Set(audible.map((e) => e.id)));
    }
    return this.remaining(outbox, failed, now);
  }

  private remaining(
    outbox: readonly OutboxEntry[],
    failed: Map<string, Set<string>>,
    now: number,
  ): OutboxEntry[] {
    const left: OutboxEntry[] = [];
    for (const entry of outbox) {
      const pending = entry.pending.filter((c) => failed.get(c)?.has(entry.event.id));
      if (pending.length === 0) continue;
      const firstTriedAt = entry.firstTriedAt ?? now;
      if (now - firstTriedAt >= this.options.giveUpAfterMs) {
        for (const channel of pending)
          this.options.metrics.notifications.inc({ channel, outcome: 'abandoned' });
        this.options.log.error({ event: entry.event.id, channels: pending }, 'alert notification abandoned');
        continue;
      }
      left.push({ event: entry.event, pending, firstTriedAt });
    }
    return left;
  }

  /** Nothing to retry: the configuration must change first (reported in the rule's status). */
  private unknownChannel(name: string): true {
    this.options.log.error({ channel: name }, 'alert rule names an unknown channel');
    this.options.metrics.notifications.inc({ channel: name, outcome: 'failed' });
    return true;
  }

  private async sendWithRetries(name: string, events: readonly AlertEvent[]): Promise<boolean> {
    const ids = events.map((e) => e.id);
    if (!this.hasChannel(name)) return this.unknownChannel(name);
    const sleep = this.options.sleep ?? realSleep;
    const sender = this.options.sender ?? sendToChannel;
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      // Looked up per attempt: a URL or key rotated during the backoff is used by the next try.
      const channel = this.channel(name);
      if (!channel) return this.unknownChannel(name);
      const result: SendResult = await sender(channel, events, this.options.send);
      const at = this.options.send.now();
      await this.options.store
        .recordDelivery({ channel: name, type: channel.type, at, attempt, eventIds: ids, ...result })
        .catch((err: unknown) => this.options.log.warn({ err }, 'delivery record not written'));
      this.options.metrics.notifications.inc({ channel: name, outcome: result.ok ? 'sent' : 'failed' });
      if (result.ok) return true;
      this.options.log.warn(
        { channel: name, attempt, status: result.status, error: result.error },
        'alert delivery failed',
      );
      if (!result.retryable) return true; // a 4xx will not get better by itself; recorded above
      if (attempt < this.options.attempts) await sleep(this.options.backoffMs * 2 ** (attempt - 1));
    }
    return false;
  }
}
