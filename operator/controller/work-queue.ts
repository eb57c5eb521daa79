import { backoffDelayMs } from '../domain/backoff.js';

export type Handler = (key: string) => Promise<void>;

export interface WorkQueueOptions {
  concurrency: number;
  handler: Handler;
  onResult?(key: string, ok: boolean, error?: unknown): void;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Keyed work queue (client-go semantics): a key is queued at most once; a key being processed is never
 * processed concurrently, and if it is added meanwhile it runs once more afterwards. Failures requeue with
 * per-key exponential backoff; a success resets it.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private active = 0;
  private stopped = false;
  private idle: (() => void)[] = [];

  constructor(private readonly options: WorkQueueOptions) {}

  get depth(): number {
    return this.queue.length;
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  addAfter(key: string, delayMs: number): void {
    if (this.stopped || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    this.timers.set(key, timer);
  }

  /** Stops taking work and resolves once in-flight handlers finished (graceful shutdown). */
  async shutDown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    if (this.active === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (!this.stopped && this.active < this.options.concurrency && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      this.active++;
      void this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    try {
      await this.options.handler(key);
      this.failures.delete(key);
      this.options.onResult?.(key, true);
    } catch (error) {
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      this.options.onResult?.(key, false, error);
      this.addAfter(key, backoffDelayMs(failures, this.options.baseDelayMs, this.options.maxDelayMs));
    } finally {
      this.finish(key);
    }
  }

  private finish(key: string): void {
    this.processing.delete(key);
    this.active--;
    if (this.dirty.delete(key)) this.add(key);
    if (this.active === 0 && this.stopped) for (const resolve of this.idle.splice(0)) resolve();
    this.pump();
  }
}
