import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../harness/run-tool.js';
import { repoPath } from '../harness/testbin-paths.js';

/**
 * A fresh clone's `npm install` must leave package-lock.json as committed (issue #15): a lockfile missing other
 * platforms' optional bindings (DuckDB's, swc's, esbuild's) was rewritten by 451 lines on the first install, so the
 * clone was dirty and `npm ci` elsewhere could miss a binding. npm resolves the lockfile alone here
 * (--package-lock-only, against the registry of npm's own configuration), without touching node_modules.
 */
describe('package-lock.json', () => {
  it('is what npm install writes for package.json, on every platform', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-lock-'));
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(repoPath(file), join(dir, file));
    const result = await runTool(
      'npm',
      ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'],
      undefined,
      { cwd: dir },
    );
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(dir, 'package-lock.json'), 'utf8')).toBe(
      readFileSync(repoPath('package-lock.json'), 'utf8'),
    );
  });
});
