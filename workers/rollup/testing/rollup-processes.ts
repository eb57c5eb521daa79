import { spawn, type ChildProcess } from 'node:child_process';

export interface RollupProcess {
  /** Everything printed so far. */
  output: () => string;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and everything the process printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

/** Runs `gravix rollup <args>` from the built CLI (testbin/harness/built-cli.ts) as a real, killable process. */
export function spawnRollup(cli: string, env: Record<string, string>, args: string[]): RollupProcess {
  const child = spawn(process.execPath, [cli, 'rollup', ...args], {
    env: { PATH: process.env['PATH'] ?? '', GRAVIX_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((done) =>
    child.on('close', (code, signal) => done({ code, signal, output })),
  );
  return { child, exited, output: () => output };
}

/** The summary fields of the run's final 'rollup run finished' log line. */
export function parseRunSummary(output: string): Record<string, unknown> | undefined {
  const line = output
    .split('\n')
    .reverse()
    .find((l) => l.includes('"rollup run finished"'));
  return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
}
