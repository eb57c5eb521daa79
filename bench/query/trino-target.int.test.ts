import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { startTrinoTarget } from './trino-target.js';

/** This process's children (pid and command line), from /proc. */
function children(): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the fourth field of stat, after a command name in parentheses that may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      found.push({ pid: Number(entry), cmdline });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The query bench's Trino target (bench/query/trino-target.ts) runs a 2 GiB Trino and a MinIO; a bench stopped by a
 * timeout or Ctrl-C while Trino is still starting (minutes on a loaded machine) used to leave both running.
 */
describe('the query bench Trino target', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gravix-trino-target-'));
    mkdirSync(join(root, 'metrics'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('an interrupting signal while Trino starts stops Trino and MinIO before the process exits', async () => {
    const signals = new EventEmitter();
    let launched: number[] = [];
    let exited!: (outcome: { code: number; running: number[] }) => void;
    const exit = new Promise<{ code: number; running: number[] }>((resolve) => (exited = resolve));
    const settled = startTrinoTarget(root, {
      // Which of the launched processes still run at the moment the bench would exit.
      signals: { source: signals, exit: (code) => exited({ code, running: launched.filter(alive) }) },
    }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    // MinIO is up and Trino's JVM launched, but nowhere near ready (that takes a minute or more here).
    const both = await waitUntil(
      async () => {
        const kids = children();
        const minio = kids.find((k) => k.cmdline.includes('gravix-minio-'));
        const trino = kids.find((k) => k.cmdline.includes('gravix-trino-'));
        return minio && trino ? [minio.pid, trino.pid] : false;
      },
      { what: 'MinIO and a starting Trino among the children', timeoutMs: 30_000 },
    );
    launched = both;
    signals.emit('SIGTERM', 'SIGTERM');

    expect(await exit).toEqual({ code: 143, running: [] });
    expect(await settled).toBe('the bench was interrupted by SIGTERM');
  }, 60_000);
});
