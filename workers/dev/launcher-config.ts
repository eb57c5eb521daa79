import { ConfigError, describeConfigProblem } from '../shared/config-error.js';

/**
 * How `gravix dev` starts its pipeline (docs/adr/0109). Read by the launcher, a process that stays small for the
 * pipeline's whole life, so without zod (importing it costs the launcher ~14 MiB of RSS); same errors as
 * parseConfig: every bad key at once, each with its value and rule.
 */
export interface LauncherConfig {
  /** GRAVIX_DEV_CHILD_PROCESS (true): run the pipeline in a child started with the settings below. */
  childProcess: boolean;
  /**
   * GRAVIX_DEV_SEMI_SPACE_MB (4; 0 = V8's own): node's --max-semi-space-size for the pipeline. V8 grows its young
   * generation to 32 MiB in the rollup's bursts; 4 caps it (docs/adr/0101: 308 -> 287 MiB over a week's catch-up).
   */
  semiSpaceMb: number;
  /**
   * GRAVIX_DEV_MALLOC_ARENA_MAX (2; 0 = glibc's own): MALLOC_ARENA_MAX for the pipeline. glibc gives each thread
   * that contends an arena of its own (DuckDB's, libuv's pool, V8's helpers); 2 caps them (287 -> 263 MiB).
   */
  mallocArenaMax: number;
  /**
   * GRAVIX_DEV_MALLOC_MMAP_THRESHOLD_KB (128; 0 = glibc's own): MALLOC_MMAP_THRESHOLD_ for the pipeline, in KiB.
   * glibc raises its mmap threshold to the size of each large block freed (up to 32 MiB), so the back-fill's MiB-sized
   * buffers (segments, packs, Parquet and Arrow buffers) come to live in the arenas, whose freed pages stay
   * resident; fixed at 128 KiB they are mapped and returned whole when freed (docs/adr/0125).
   */
  mallocMmapThresholdKb: number;
  /**
   * GRAVIX_DEV_LAUNCHER_FD: set by the launcher only, in its child: the pipe whose end tells the child that the
   * launcher is gone (even by SIGKILL).
   */
  launcherFd: number | undefined;
}

const problem = (key: string, value: string, rule: string) => describeConfigProblem([key], value, rule);

function readInt(
  env: Record<string, string | undefined>,
  key: string,
  fallback: number | undefined,
  [min, max]: [number, number],
  problems: string[],
): number | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (/^\d+$/.test(raw) && value >= min && value <= max) return value;
  problems.push(problem(key, raw, `must be an integer from ${min} to ${max}`));
  return fallback;
}

function readBoolean(env: Record<string, string | undefined>, key: string, problems: string[]): boolean {
  const raw = env[key];
  if (raw === undefined || raw === '' || raw === 'true') return true;
  if (raw === 'false') return false;
  problems.push(problem(key, raw, 'must be true or false'));
  return true;
}

export function loadLauncherConfig(env: Record<string, string | undefined>): LauncherConfig {
  const problems: string[] = [];
  const config = {
    childProcess: readBoolean(env, 'GRAVIX_DEV_CHILD_PROCESS', problems),
    semiSpaceMb: readInt(env, 'GRAVIX_DEV_SEMI_SPACE_MB', 4, [0, 1024], problems)!,
    mallocArenaMax: readInt(env, 'GRAVIX_DEV_MALLOC_ARENA_MAX', 2, [0, 64], problems)!,
    // glibc takes at most 32 MiB (HEAP_MAX_SIZE / 2 on 64-bit) and ignores a larger value.
    mallocMmapThresholdKb: readInt(env, 'GRAVIX_DEV_MALLOC_MMAP_THRESHOLD_KB', 128, [0, 32768], problems)!,
    launcherFd: readInt(env, 'GRAVIX_DEV_LAUNCHER_FD', undefined, [3, 1023], problems),
  };
  if (problems.length > 0) throw new ConfigError(problems, { subject: 'gravix dev' });
  return config;
}
