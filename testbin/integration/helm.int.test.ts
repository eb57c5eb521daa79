import { runTool } from '../harness/run-tool.js';
import { repoPath, testbinPaths } from '../harness/testbin-paths.js';

describe('helm from the testbin', () => {
  it('renders a chart with values overridden on the command line', async () => {
    const result = await runTool(testbinPaths().helm, [
      'template',
      'demo',
      repoPath('testbin', 'fixtures', 'smoke-chart'),
      '--set',
      'greeting=bonjour',
    ]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('name: demo-smoke');
    expect(result.stdout).toContain('greeting: "bonjour"');
  });

  it('reports its pinned version', async () => {
    const result = await runTool(testbinPaths().helm, ['version', '--short']);
    expect(result.stdout.trim()).toMatch(/^v3\.\d+\.\d+/);
  });
});
