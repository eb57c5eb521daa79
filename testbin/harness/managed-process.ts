import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from './testbin-paths.js';
import { HopelessWaitError } from './wait-until.js';

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * A child process whose output goes to test-artifacts/<name>.log, so a failing
 * test can show what the real component said (see jest-environment.js).
 */
export class ManagedProcess {
  readonly logPath: string;
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private exitCode: number | null | undefined;

  constructor(private readonly options: ManagedProcessOptions) {
    const dir = repoPath('test-artifacts', 'logs');
    mkdirSync(dir, { recursive: true });
    this.logPath = join(dir, `${options.name}-${process.pid}-${Date.now()}.log`);
  }

  start(): void {
    if (this.child && this.exitCode === undefined) return;
    this.log = createWriteStream(this.logPath, { flags: 'a' });
    this.exitCode = undefined;
    const child = spawn(this.options.command, this.options.args, {
      env: { ...process.env, ...this.options.env },
      cwd: this.options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.on('exit', (code) => {
      this.exitCode = code;
    });
    child.on('error', (error) => {
      this.log?.write(`spawn failed: ${error.message}\n`);
      this.exitCode = -1;
    });
    this.child = child;
  }

  /** Exit code of the last run (null when killed by a signal), undefined while running. */
  get exitStatus(): number | null | undefined {
    return this.exitCode;
  }

  /** The process id of the last run (a launcher's children are found from it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === undefined;
  }

  /** Throws with the log tail when the process died, so readiness waits fail fast and say why. */
  assertRunning(): void {
    if (this.exitCode !== undefined) {
      throw new HopelessWaitError(
        `${this.options.name} exited with code ${this.exitCode}:\n${this.logTail()}`,
      );
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== undefined) {
      this.printLogIfTestFailed();
      return;
    }
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    await new Promise<void>((r) => (this.log ? this.log.end(r) : r()));
    this.printLogIfTestFailed();
  }

  logTail(lines = 60): string {
    try {
      return readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private printLogIfTestFailed(): void {
    if ((globalThis as { __gravixTestFailed?: boolean }).__gravixTestFailed) {
      process.stderr.write(`\n--- ${this.options.name} log tail (${this.logPath}) ---\n${this.logTail()}\n`);
    }
  }
}
