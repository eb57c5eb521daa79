import type { LauncherConfig } from './launcher-config.js';

/** The file descriptor the launcher's pipe has in the pipeline process (0-2 are its stdio). */
export const launcherPipeFd = 3;

export interface PipelineCommandInput {
  execPath: string;
  /** The launcher's own node flags (`--import`, `--enable-source-maps`...): the pipeline gets them too. */
  execArgv: readonly string[];
  /** The gravix CLI entry (dist/cli/gravix.js). */
  cli: string;
  /** `gravix dev`'s arguments. */
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  config: Pick<LauncherConfig, 'semiSpaceMb' | 'mallocArenaMax' | 'mallocMmapThresholdKb'>;
}

export interface PipelineCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

const semiSpaceFlag = /^--max-semi-space-size(=|$)/;

/**
 * The pipeline process's command line and environment: `gravix dev` again, with the start-time memory settings
 * only a new process can take (V8 sizes its young generation and glibc reads MALLOC_ARENA_MAX and
 * MALLOC_MMAP_THRESHOLD_ before any code of ours runs). A setting the user gave (their node flag or NODE_OPTIONS,
 * their MALLOC_ARENA_MAX or MALLOC_MMAP_THRESHOLD_) is left as it is.
 */
export function buildPipelineCommand(input: PipelineCommandInput): PipelineCommand {
  const { config } = input;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.env)) if (value !== undefined) env[key] = value;
  const nodeOptions = (env['NODE_OPTIONS'] ?? '').split(/\s+/);
  const userSemiSpace = [...input.execArgv, ...nodeOptions].some((flag) => semiSpaceFlag.test(flag));
  const flags = [...input.execArgv];
  if (config.semiSpaceMb > 0 && !userSemiSpace) flags.push(`--max-semi-space-size=${config.semiSpaceMb}`);
  if (config.mallocArenaMax > 0 && env['MALLOC_ARENA_MAX'] === undefined)
    env['MALLOC_ARENA_MAX'] = String(config.mallocArenaMax);
  if (config.mallocMmapThresholdKb > 0 && env['MALLOC_MMAP_THRESHOLD_'] === undefined)
    env['MALLOC_MMAP_THRESHOLD_'] = String(config.mallocMmapThresholdKb * 1024);
  env['GRAVIX_DEV_LAUNCHER_FD'] = String(launcherPipeFd);
  return { command: input.execPath, args: [...flags, input.cli, 'dev', ...input.argv], env };
}
