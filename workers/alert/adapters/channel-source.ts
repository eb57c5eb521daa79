import type { Logger } from 'pino';
import { ConfigError } from '../../shared/config-error.js';
import { loadNotificationChannels, type ChannelDefinition } from './notification-channels.js';

export interface ChannelSourceOptions {
  /** The channels file (GRAVIX_ALERT_CHANNELS_FILE); no file means no channels. */
  path?: string;
  env: Record<string, string | undefined>;
  /** Re-read the file and the secrets it names when the last read is at least this old (0: on every use). */
  rereadMs: number;
  log: Logger;
  now?: () => number;
}

/**
 * The channels as they are now. A rotated webhook URL or HMAC key in a mounted Secret (kubelet swaps the files
 * in place) or an edited channels file takes effect within `rereadMs`, without a restart: a revoked Slack URL or
 * a rotated signing key would otherwise fail every delivery until someone restarts the worker.
 *
 * The first read is strict (a broken file stops the worker, docs/alerts.md). Later reads that fail keep the last
 * good channels and log the problems (which never quote a value): a half-written file must not drop every channel
 * and lose the notifications owed to them.
 */
export class ChannelSource {
  private channels: ChannelDefinition[];
  private readAt: number;
  private readonly now: () => number;
  /** The problems of the last failed re-read, until a re-read succeeds (for tests and the log). */
  lastProblems: string[] = [];

  constructor(private readonly options: ChannelSourceOptions) {
    this.now = options.now ?? Date.now;
    this.channels = this.read();
    this.readAt = this.now();
  }

  private read(): ChannelDefinition[] {
    return this.options.path ? loadNotificationChannels(this.options.path, this.options.env) : [];
  }

  current(): readonly ChannelDefinition[] {
    if (!this.options.path || this.now() - this.readAt < this.options.rereadMs) return this.channels;
    this.readAt = this.now();
    try {
      const next = this.read();
      if (this.lastProblems.length > 0) this.options.log.info('alert channels readable again');
      this.lastProblems = [];
      this.logChanges(next);
      this.channels = next;
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems : [(error as Error).message];
      if (problems.join() !== this.lastProblems.join())
        this.options.log.warn({ problems }, 'alert channels re-read failed; keeping the last good ones');
      this.lastProblems = problems;
    }
    return this.channels;
  }

  /** Names only: a URL or key is a credential. */
  private logChanges(next: readonly ChannelDefinition[]): void {
    const before = new Map(this.channels.map((c) => [c.name, c]));
    const changed = next
      .filter((c) => {
        const old = before.get(c.name);
        return !old || old.url !== c.url || old.secret !== c.secret || old.type !== c.type;
      })
      .map((c) => c.name);
    const removed = [...before.keys()].filter((name) => !next.some((c) => c.name === name));
    if (changed.length > 0 || removed.length > 0)
      this.options.log.info({ changed, removed }, 'alert channels changed');
  }
}
