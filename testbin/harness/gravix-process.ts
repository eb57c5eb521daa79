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
  /** How long the start may take (a cold start at load 40-50 on two cores passes 30 s). */
  readyTimeoutMs = 30_000,
): Promise<GravixProcess> {
  const proc = new ManagedProcess({
    name: `gravix-${subcommand}`,
    command: process.execPath,
    args: [await builtCli(), subcommand, ...args],
    env,
  });
  proc.start();
  try {
    await waitUntil(
      async () => {
        proc.assertRunning();
        return (await fetch(readyUrl)).ok;
      },
      { what: `gravix ${subcommand} at ${readyUrl}`, timeoutMs: readyTimeoutMs },
    );
  } catch (error) {
    // A start that never got ready is stopped here: its caller never gets a handle to stop it.
    await proc.stop('SIGKILL');
    throw error;
  }
  return { proc, kill: (signal = 'SIGTERM') => proc.stop(signal) };
}
