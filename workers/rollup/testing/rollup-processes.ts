import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const outDir = join(repoRoot, 'test-artifacts', 'rollup-dist');

/**
 * Compiles the rollup entry (and only what it imports) to JS, so tests can run real, separately killable
 * rollup processes: jest's in-process TypeScript cannot be spawned.
 */
export function buildRollupEntry(): string {
  mkdirSync(outDir, { recursive: true });
  execFileSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
      join(repoRoot, 'workers', 'rollup', 'rollup-process.ts'),
      join(repoRoot, 'workers', 'rollup', 'adapters', 'segment-scan-worker.ts'),
      ...[
        '--outDir',
        outDir,
        '--rootDir',
        repoRoot,
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
      ],
      ...['--target', 'es2022', '--skipLibCheck', '--types', 'node', '--strict'],
    ],
    { cwd: repoRoot, stdio: 'pipe' },
  );
  return join(outDir, 'workers', 'rollup', 'rollup-process.js');
}

export interface RollupProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and everything the process printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

export function spawnRollup(entry: string, env: Record<string, string>, args: string[]): RollupProcess {
  const child = spawn(process.execPath, [entry, ...args], {
    env: { PATH: process.env['PATH'] ?? '', GRAVIX_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((done) =>
    child.on('close', (code, signal) => done({ code, signal, output })),
  );
  return { child, exited };
}

/** The summary fields of the run's final 'rollup run finished' log line. */
export function parseRunSummary(output: string): Record<string, unknown> | undefined {
  const line = output
    .split('\n')
    .reverse()
    .find((l) => l.includes('"rollup run finished"'));
  return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
}
