import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs a bench module's own serve mode in a child process (its JIT and GC apart from the load generator's
 * parent) and waits for the port it reports with process.send({ port }).
 */
export async function forkServer(moduleUrl: string, args: string[]): Promise<{ port: number; stop(): void }> {
  const child = fork(fileURLToPath(moduleUrl), args);
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m) => resolve((m as { port: number }).port)),
  );
  return { port, stop: () => child.kill('SIGKILL') };
}
