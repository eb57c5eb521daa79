import { ManagedProcess } from './managed-process.js';
import { builtCli } from './built-cli.js';
import { waitUntil } from './wait-until.js';

export interface GravixProcess {
  proc: ManagedProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs `gravix <subcommand>` from the built CLI and waits until `readyUrl` answers 200. */
export async function startGravix(
  subcommand: string,
  env: NodeJS.ProcessEnv,
  readyUrl: string,
  /** Arguments after the subcommand (`--demo`, `--history 8d`). */
  args: readonly string[] = [],
): Promise<GravixProcess> {
  const proc = new ManagedProcess({
    name: `gravix-${subcommand}`,
    command: process.execPath,
    args: [await builtCli(), subcommand, ...args],
    env,
  });
  proc.start();
  await waitUntil(
    async () => {
      proc.assertRunning();
      return (await fetch(readyUrl)).ok;
    },
    { what: `gravix ${subcommand} at ${readyUrl}`, timeoutMs: 30_000 },
  );
  return { proc, kill: (signal = 'SIGTERM') => proc.stop(signal) };
}
