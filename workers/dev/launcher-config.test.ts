import { ConfigError } from '../shared/config-error.js';
import { loadLauncherConfig } from './launcher-config.js';

describe('loadLauncherConfig', () => {
  it('runs the pipeline in a child with a 4 MiB semi-space and two malloc arenas by default', () => {
    expect(loadLauncherConfig({})).toEqual({
      childProcess: true,
      semiSpaceMb: 4,
      mallocArenaMax: 2,
      mallocMmapThresholdKb: 128,
      launcherFd: undefined,
    });
  });

  it('takes the user settings, 0 leaving a setting to node or glibc', () => {
    const env = {
      GRAVIX_DEV_CHILD_PROCESS: 'false',
      GRAVIX_DEV_SEMI_SPACE_MB: '0',
      GRAVIX_DEV_MALLOC_ARENA_MAX: '8',
      GRAVIX_DEV_MALLOC_MMAP_THRESHOLD_KB: '0',
      GRAVIX_DEV_LAUNCHER_FD: '3',
    };
    expect(loadLauncherConfig(env)).toEqual({
      childProcess: false,
      semiSpaceMb: 0,
      mallocArenaMax: 8,
      mallocMmapThresholdKb: 0,
      launcherFd: 3,
    });
  });

  it('reports every bad key at once with its value and rule', () => {
    const env = {
      GRAVIX_DEV_CHILD_PROCESS: 'yes',
      GRAVIX_DEV_SEMI_SPACE_MB: '2.5',
      GRAVIX_DEV_MALLOC_ARENA_MAX: '65',
      GRAVIX_DEV_MALLOC_MMAP_THRESHOLD_KB: '65536',
      GRAVIX_DEV_LAUNCHER_FD: '1',
    };
    expect(() => loadLauncherConfig(env)).toThrow(ConfigError);
    expect(() => loadLauncherConfig(env)).toThrow(
      'invalid gravix dev configuration: GRAVIX_DEV_CHILD_PROCESS="yes": must be true or false; ' +
        'GRAVIX_DEV_SEMI_SPACE_MB="2.5": must be an integer from 0 to 1024; ' +
        'GRAVIX_DEV_MALLOC_ARENA_MAX="65": must be an integer from 0 to 64; ' +
        'GRAVIX_DEV_MALLOC_MMAP_THRESHOLD_KB="65536": must be an integer from 0 to 32768; ' +
        'GRAVIX_DEV_LAUNCHER_FD="1": must be an integer from 3 to 1023',
    );
  });
});
