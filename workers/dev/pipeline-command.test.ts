import { buildPipelineCommand, type PipelineCommandInput } from './pipeline-command.js';

const input = (overrides: Partial<PipelineCommandInput> = {}): PipelineCommandInput => ({
  execPath: '/usr/bin/node',
  execArgv: [],
  cli: '/app/dist/cli/gravix.js',
  argv: ['--demo', '--history', '8d'],
  env: { PATH: '/usr/bin', GRAVIX_DATA_DIR: '/data', UNSET: undefined },
  config: { semiSpaceMb: 4, mallocArenaMax: 2, mallocMmapThresholdKb: 128 },
  ...overrides,
});

describe('buildPipelineCommand', () => {
  it('starts gravix dev again with the semi-space flag, two malloc arenas, a fixed mmap threshold and the launcher pipe', () => {
    const command = buildPipelineCommand(input());
    expect(command.command).toBe('/usr/bin/node');
    expect(command.args).toEqual([
      '--max-semi-space-size=4',
      '/app/dist/cli/gravix.js',
      'dev',
      '--demo',
      '--history',
      '8d',
    ]);
    expect(command.env).toEqual({
      PATH: '/usr/bin',
      GRAVIX_DATA_DIR: '/data',
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '131072',
      GRAVIX_DEV_LAUNCHER_FD: '3',
    });
  });

  it("passes the launcher's node flags on, before its own", () => {
    const command = buildPipelineCommand(
      input({ execArgv: ['--import', '/probe.js', '--enable-source-maps'] }),
    );
    expect(command.args.slice(0, 4)).toEqual([
      '--import',
      '/probe.js',
      '--enable-source-maps',
      '--max-semi-space-size=4',
    ]);
  });

  it('leaves a semi-space size the user chose, as a flag or in NODE_OPTIONS, and their glibc settings', () => {
    const flag = buildPipelineCommand(input({ execArgv: ['--max-semi-space-size=16'] }));
    expect(flag.args.filter((a) => a.startsWith('--max-semi-space-size'))).toEqual([
      '--max-semi-space-size=16',
    ]);
    const options = buildPipelineCommand(
      input({
        env: {
          NODE_OPTIONS: '--no-warnings --max-semi-space-size 8',
          MALLOC_ARENA_MAX: '4',
          MALLOC_MMAP_THRESHOLD_: '65536',
        },
      }),
    );
    expect(options.args[0]).toBe('/app/dist/cli/gravix.js');
    expect(options.env['MALLOC_ARENA_MAX']).toBe('4');
    expect(options.env['MALLOC_MMAP_THRESHOLD_']).toBe('65536');
  });

  it('adds no setting that is 0', () => {
    const command = buildPipelineCommand(
      input({ config: { semiSpaceMb: 0, mallocArenaMax: 0, mallocMmapThresholdKb: 0 } }),
    );
    expect(command.args[0]).toBe('/app/dist/cli/gravix.js');
    expect(command.env['MALLOC_ARENA_MAX']).toBeUndefined();
    expect(command.env['MALLOC_MMAP_THRESHOLD_']).toBeUndefined();
    expect(command.env['GRAVIX_DEV_LAUNCHER_FD']).toBe('3');
  });
});
