import { pino } from 'pino';
import { runRollupOnce, type RollupOnceOptions } from './run-rollup-once.js';

export interface RollupLoop {
  /** Resolves once the pass in progress (if any) has finished; no pass starts after it. */
  stop(): Promise<void>;
}

/**
 * Runs a pass now and then every intervalMs (never two at once: a slow pass delays the next one rather than
 * overlapping it). This is what `gravix dev` embeds and what `gravix rollup` does without --once.
 */
export function startRollupLoop(
  options: Omit<RollupOnceOptions, 'nowMs'> & { intervalMs: number },
): RollupLoop {
  const log = options.log ?? pino({ level: 'silent' });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const pass = async () => {
    try {
      const summary = await runRollupOnce(options);
      if (summary.failed.length > 0) log.warn({ failed: summary.failed.length }, 'rollup pass had failures');
    } catch (error) {
      log.error({ err: error }, 'rollup pass failed');
    }
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
