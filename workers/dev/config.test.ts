import { ConfigError } from '../shared/config-error.js';
import { loadDevEnvironment } from './config.js';

describe('loadDevEnvironment', () => {
  it('bounds the embedded process: no rollup scan threads and a 256MB DuckDB buffer pool by default', () => {
    const dev = loadDevEnvironment({});
    expect(dev.GRAVIX_ROLLUP_SCAN_THREADS).toBe(0);
    expect(dev.env['GRAVIX_DUCKDB_MEMORY_LIMIT']).toBe('256MB');
  });

  it('keeps what the user set over its defaults', () => {
    const dev = loadDevEnvironment({ GRAVIX_ROLLUP_SCAN_THREADS: '2', GRAVIX_DUCKDB_MEMORY_LIMIT: '1GB' });
    expect(dev.GRAVIX_ROLLUP_SCAN_THREADS).toBe(2);
    expect(dev.env['GRAVIX_DUCKDB_MEMORY_LIMIT']).toBe('1GB');
  });

  it('refuses a scan thread count that is not a whole number from 0 to 16, naming the key', () => {
    expect(() => loadDevEnvironment({ GRAVIX_ROLLUP_SCAN_THREADS: '-1' })).toThrow(ConfigError);
    expect(() => loadDevEnvironment({ GRAVIX_ROLLUP_SCAN_THREADS: '17' })).toThrow(
      /GRAVIX_ROLLUP_SCAN_THREADS/,
    );
  });
});
