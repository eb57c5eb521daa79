import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { builtCli } from '../testbin/harness/built-cli.js';
import { repoPath } from '../testbin/harness/testbin-paths.js';
import { subcommands } from './subcommands.js';

const run = promisify(execFile);

describe('gravix CLI (built)', () => {
  beforeAll(async () => {
    await builtCli();
  }, 300_000);

  it('lists every subcommand in its help', async () => {
    const { stdout } = await run('node', [repoPath('dist', 'cli', 'gravix.js'), '--help']);
    for (const name of ['dev', 'ingest', 'rollup', 'query', 'operator', 'loadgen', 'keys', 'synth']) {
      expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it('rejects an unknown command with exit code 2 and the usage', async () => {
    await expect(run('node', [repoPath('dist', 'cli', 'gravix.js'), 'frobnicate'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("gravix: unknown command 'frobnicate'"),
    });
  });

  // Before: `gravix dev --help` started the servers and `gravix loadgen --help` printed a JSON error. The timeout
  // turns a command that starts serving instead of answering into a failure, not a hang.
  it.each(Object.keys(subcommands))(
    'prints the help of `gravix %s` for --help, -h and `help`, exit 0',
    async (name) => {
      const cli = repoPath('dist', 'cli', 'gravix.js');
      for (const args of [
        [name, '--help'],
        [name, '-h'],
        ['help', name],
        [name, '--demo', '--help'],
      ]) {
        const { stdout, stderr } = await run(process.execPath, [cli, ...args], { timeout: 20_000, env: {} });
        expect(stdout).toMatch(new RegExp(`^usage: gravix ${name}( |$)`, 'm'));
        expect(stdout).toContain('-h, --help');
        expect(stderr).toBe('');
      }
    },
  );
});
