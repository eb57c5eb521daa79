import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { LauncherConfig } from './launcher-config.js';
import { buildPipelineCommand, launcherPipeFd } from './pipeline-command.js';

/** Signals a user or a supervisor stops or pokes `gravix dev` with: each is passed on to the pipeline. */
const forwarded: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

/**
 * `gravix dev` as a launcher (docs/adr/0109): the pipeline runs in a child process started with the memory settings
 * only a new process can take, and this process stays small and only relays. The child:
 * - writes to the same stdout and stderr (inherited: a terminal stays a terminal for it);
 * - gets every stop signal this process gets, once: it is started in a session of its own, so a Ctrl-C of the
 *   terminal reaches only this process, which passes it on (the child would otherwise get it twice);
 * - holds one end of a pipe whose other end only this process holds, so when this process dies in any way,
 *   SIGKILL included, the kernel closes it and the child stops (workers/dev/launcher-pipe.ts).
 * Resolves with the child's exit code; when a signal ended the child, this process ends by the same signal.
 */
export function launchPipeline(argv: readonly string[], config: LauncherConfig): Promise<number> {
  const { command, args, env } = buildPipelineCommand({
    execPath: process.execPath,
    execArgv: process.execArgv,
    cli: fileURLToPath(new URL('../../cli/gravix.js', import.meta.url)),
    argv,
    env: process.env,
    config,
  });
  const stdio = ['ignore', 'inherit', 'inherit', 'pipe'] as const;
  if (stdio.length !== launcherPipeFd + 1) throw new Error('the launcher pipe must be fd 3');
  const child = spawn(command, args, { env, stdio: [...stdio], detached: true });
  const relay = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of forwarded) process.on(signal, relay);
  const unrelay = () => forwarded.forEach((s) => process.off(s, relay));
  return new Promise<number>((resolve) => {
    child.once('error', (error) => {
      unrelay();
      process.stderr.write(
        `${JSON.stringify({ error: { code: 'DEV_SPAWN_FAILED', message: `gravix dev: ${error.message}` } })}\n`,
      );
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      unrelay();
      if (code !== null) return resolve(code);
      // Ended by a signal: end the same way, so whoever waits on `gravix dev` sees what the pipeline saw.
      process.kill(process.pid, signal!);
      // A signal node handles itself (SIGSEGV, SIGUSR1...) does not end it: then the shell's convention.
      setTimeout(() => resolve(128 + (constants.signals[signal!] ?? 0)), 100);
    });
  });
}
