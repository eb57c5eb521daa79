import { pino } from 'pino';
import { runRollupOnce, type RollupOnceOptions } from './run-rollup-once.js';

export interface RollupPassResult {
  /** The pass finished and no partition failed. */
  ok: boolean;
  durationSeconds: number;
  finishedAtMs: number;
}

export interface RollupLoop {
  /** Resolves once the pass in progress (if any) has finished; no pass starts after it. */
  stop(): Promise<void>;
}

/**
 * Runs a pass now and then every intervalMs (never two at once: a slow pass delays the next one rather than
 * overlapping it). This is what `gravix dev` embeds and what `gravix rollup` does without --once.
 */
export function startRollupLoop(
  options: Omit<RollupOnceOptions, 'nowMs'> & {
    intervalMs: number;
    /** Called after every pass (the rollup's /metrics). */
    onPass?: (pass: RollupPassResult) => void;
  },
): RollupLoop {
  const log = options.log ?? pino({ level: 'silent' });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const pass = async () => {
    const started = Date.now();
    let ok = false;
    try {
      const summary = await runRollupOnce(options);
      ok = summary.failed.length === 0;
      if (!ok) log.warn({ failed: summary.failed.length }, 'rollup pass had failures');
    } catch (error) {
      log.error({ err: error }, 'rollup pass failed');
    }
    const finishedAtMs = Date.now();
    options.onPass?.({ ok, durationSeconds: (finishedAtMs - started) / 1000, finishedAtMs });
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
