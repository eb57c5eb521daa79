import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { repoPath } from './testbin-paths.js';

let building: Promise<string> | undefined;

/**
 * Compiles the project (and bundles the dashboard) once per test process and returns the path of the built
 * gravix CLI, so integration tests can run the real binary as a child process
 * (and kill -9 it). Type errors elsewhere do not stop tsc from emitting.
 */
export function builtCli(): Promise<string> {
  building ??= (async () => {
    const cli = repoPath('dist', 'cli', 'gravix.js');
    try {
      await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoPath() });
    } catch (error) {
      if (!existsSync(cli)) throw error;
    }
    // The query server (and `gravix dev`) serve the built dashboard.
    await promisify(execFile)(process.execPath, [repoPath('dashboards', 'web', 'build.mjs')], {
      cwd: repoPath(),
    });
    return cli;
  })();
  return building;
}
