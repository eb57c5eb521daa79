import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { repoPath } from './testbin-paths.js';

let building: Promise<string> | undefined;

const skippedDirs = new Set(['node_modules', 'dist', 'test-artifacts']);
const builtFrom = /\.(ts|mts|js|mjs|json|css|html|svg|proto)$/;
/** Test files are never built (tsconfig.build.json): editing one must not cost a rebuild at load. */
const notBuilt = /\.test\.ts$/;

/** Paths, sizes and mtimes of every file the build can read: equal fingerprints, equal build. */
function sourceFingerprint(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (entry.name.startsWith('.') || skippedDirs.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (builtFrom.test(entry.name) && !notBuilt.test(entry.name)) {
        const { size, mtimeMs } = statSync(path);
        hash.update(`${path}\0${size}\0${mtimeMs}\n`);
      }
    }
  };
  walk(root);
  return hash.digest('hex');
}

/**
 * Holds a lock directory while `work` runs, across processes: jest runs test files in several workers, each with its
 * own module state. A lock left by a killed process is taken over after `staleMs`.
 */
async function withBuildLock<T>(lockDir: string, work: () => Promise<T>, staleMs = 15 * 60_000): Promise<T> {
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > staleMs) rmSync(lockDir, { recursive: true, force: true });
      else await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Compiles the project (and bundles the dashboard) and returns the path of the built gravix CLI, so integration
 * tests can run the real binary as a child process (and kill -9 it). One build per state of the sources for every
 * test process: each jest worker compiling on its own cost minutes of CPU per run and rewrote dist/ while other
 * files' children were starting from it. Type errors elsewhere do not stop tsc from emitting.
 */
export function builtCli(): Promise<string> {
  building ??= (async () => {
    const cli = repoPath('dist', 'cli', 'gravix.js');
    const stamp = repoPath('dist', '.build-stamp');
    mkdirSync(repoPath('dist'), { recursive: true });
    await withBuildLock(repoPath('dist', '.build-lock'), async () => {
      const fingerprint = sourceFingerprint(repoPath());
      if (existsSync(cli) && existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint) return;
      rmSync(stamp, { force: true });
      try {
        // --noCheck: the same emitter and files as `npm run build` without the type check, about half of the
        // build's CPU (10 s vs 18 s user, the emitted JS identical); the checked build ran past 600 s at load. Type
        // errors are `npm run typecheck`'s to report, and never stopped the emit here.
        await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json', '--noCheck'], {
          cwd: repoPath(),
        });
      } catch (error) {
        if (!existsSync(cli)) throw error;
      }
      // The query server (and `gravix dev`) serve the built dashboard.
      await promisify(execFile)(process.execPath, [repoPath('dashboards', 'web', 'build.mjs')], {
        cwd: repoPath(),
      });
      writeFileSync(stamp, fingerprint);
    });
    return cli;
  })();
  return building;
}
