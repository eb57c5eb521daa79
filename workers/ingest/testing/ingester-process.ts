import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface IngesterExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class IngesterExitedError extends Error {
  readonly code = 'INGESTER_EXITED';
}

/** pino's numeric levels: 50 = error, 60 = fatal. */
const errorLevel = 50;

/**
 * `gravix ingest` from the built CLI as a child process the fault test can kill with a real signal at any
 * moment (before it is ready included). Its JSON log lines are kept in memory, so the test can wait for the
 * markers that say which state it is in, and written to a file for post-mortems.
 */
export class IngesterProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<IngesterExit>;
  private exit: IngesterExit | undefined;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private partial = '';

  constructor(cli: string, env: Record<string, string>, logPath: string) {
    mkdirSync(join(logPath, '..'), { recursive: true });
    this.log = createWriteStream(logPath);
    this.child = spawn(process.execPath, [cli, 'ingest'], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (chunk: Buffer) => {
      this.log.write(chunk);
      const text = this.partial + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
    };
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code, signal) => {
        this.exit = { code, signal };
        this.log.end();
        resolve(this.exit);
      }),
    );
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Resolves with the first log line from index `from` on that matches; rejects if the process exits first. */
  async waitForLine(match: (line: string) => boolean, options: { from?: number; timeoutMs: number }) {
    const deadline = Date.now() + options.timeoutMs;
    for (let i = options.from ?? 0; ;) {
      for (; i < this.lines.length; i++) if (match(this.lines[i]!)) return this.lines[i]!;
      if (!this.running) throw new IngesterExitedError(`ingester exited (${JSON.stringify(this.exit)})`);
      if (Date.now() > deadline) throw new Error(`no matching log line within ${options.timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async waitReady(url: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running)
        throw new IngesterExitedError(`ingester exited before ready (${JSON.stringify(this.exit)})`);
      try {
        if ((await fetch(`${url}/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`ingester not ready within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends the signal and waits for the exit; a process still alive after graceMs gets SIGKILL. */
  async kill(signal: NodeJS.Signals, graceMs = 20_000): Promise<IngesterExit & { forced: boolean }> {
    if (!this.running) return { ...this.exit!, forced: false };
    this.child.kill(signal);
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      this.child.kill('SIGKILL');
    }, graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return { ...exit, forced };
  }

  /** Log lines at error level or above (a collision, a failed seal) and the CLI's own error line. */
  errorLines(): string[] {
    return this.lines.filter((line) => {
      if (!line.startsWith('{')) return false; // e.g. runtime deprecation warnings
      try {
        const entry = JSON.parse(line) as { level?: number; error?: unknown };
        return (entry.level ?? 0) >= errorLevel || entry.error !== undefined;
      } catch {
        return false;
      }
    });
  }
}
