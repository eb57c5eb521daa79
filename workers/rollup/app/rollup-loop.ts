import { pino } from 'pino';
import { runRollupOnce, type RollupOnceOptions } from './run-rollup-once.js';

export interface RollupPassResult {
  /** The pass finished and no partition failed. */
  ok: boolean;
  durationSeconds: number;
  finishedAtMs: number;
  /** Codes of the partitions that failed in this pass (empty when the pass itself threw). */
  failureCodes: string[];
  /** Partitions whose last attempt failed (retried with backoff), after this pass. */
  failingPartitions: number;
  /** Why the pass itself failed (the store unreachable, say); undefined when it ran to the end. */
  passError?: string;
}

export interface RollupLoop {
  /** Resolves once the pass in progress (if any) has finished; no pass starts after it. */
  stop(): Promise<void>;
}

/**
 * Runs a pass now and then every intervalMs (a failing partition or a failing pass never stops it; pass a
 * `backoff` to defer partitions that keep failing), never two at once: a slow pass delays the next one rather than
 * overlapping it. This is what `gravix dev` embeds and what `gravix rollup` does without --once.
 */
export function startRollupLoop(
  options: Omit<RollupOnceOptions, 'nowMs'> & {
    intervalMs: number;
    /** Called after every pass (the rollup's /metrics). */
    onPass?: (pass: RollupPassResult) => void;
    /** Called when a pass starts (readiness notices a pass that never ends, say on a store that stopped answering). */
    onPassStart?: (startedAtMs: number) => void;
  },
): RollupLoop {
  const log = options.log ?? pino({ level: 'silent' });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const pass = async () => {
    const started = Date.now();
    options.onPassStart?.(started);
    let ok = false;
    let failureCodes: string[] = [];
    let passError: string | undefined;
    try {
      const summary = await runRollupOnce(options);
      ok = summary.failed.length === 0;
      failureCodes = summary.failed.map((f) => f.code);
      if (!ok) log.warn({ failed: summary.failed }, 'rollup pass had failures');
    } catch (error) {
      log.error({ err: error }, 'rollup pass failed');
      passError = (error as Error).message;
    }
    const finishedAtMs = Date.now();
    const failingPartitions = options.backoff?.size ?? failureCodes.length;
    const durationSeconds = (finishedAtMs - started) / 1000;
    const result = { ok, durationSeconds, finishedAtMs, failureCodes, failingPartitions };
    options.onPass?.(passError === undefined ? result : { ...result, passError });
  };
  const tick = () => {
    current = pass().finally(() => {
      if (!stopped) timer = setTimeout(tick, options.intervalMs);
    });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
