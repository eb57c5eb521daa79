import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoPath } from '../testbin/harness/testbin-paths.js';

const run = promisify(execFile);

describe('gravix CLI (built)', () => {
  beforeAll(async () => {
    await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoPath() });
  });

  it('lists every subcommand in its help', async () => {
    const { stdout } = await run('node', [repoPath('dist', 'cli', 'gravix.js'), '--help']);
    for (const name of ['dev', 'ingest', 'rollup', 'query', 'operator', 'loadgen', 'synth']) {
      expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it('rejects an unknown command with exit code 2 and the usage', async () => {
    await expect(run('node', [repoPath('dist', 'cli', 'gravix.js'), 'frobnicate'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("gravix: unknown command 'frobnicate'"),
    });
  });
});
