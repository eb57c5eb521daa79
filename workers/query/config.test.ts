import { loadQueryConfig } from './config.js';

const keys = { GRAVIX_API_KEYS_FILE: 'keys.json' };

describe('loadQueryConfig, DuckDB memory', () => {
  it("leaves DuckDB's allocator and file cache to DuckDB unless set", () => {
    const config = loadQueryConfig(keys);
    expect(config.GRAVIX_DUCKDB_ALLOCATOR_FLUSH_THRESHOLD).toBeUndefined();
    expect(config.GRAVIX_DUCKDB_FILE_CACHE).toBeUndefined();
    const set = loadQueryConfig({
      ...keys,
      GRAVIX_DUCKDB_ALLOCATOR_FLUSH_THRESHOLD: '8MB',
      GRAVIX_DUCKDB_FILE_CACHE: 'false',
    });
    expect(set.GRAVIX_DUCKDB_ALLOCATOR_FLUSH_THRESHOLD).toBe('8MB');
    expect(set.GRAVIX_DUCKDB_FILE_CACHE).toBe('false');
  });

  it('refuses a flush threshold that is not a size and a file cache that is not true or false, naming both', () => {
    expect(() =>
      loadQueryConfig({
        ...keys,
        GRAVIX_DUCKDB_ALLOCATOR_FLUSH_THRESHOLD: 'lots',
        GRAVIX_DUCKDB_FILE_CACHE: 'off',
      }),
    ).toThrow(
      /GRAVIX_DUCKDB_ALLOCATOR_FLUSH_THRESHOLD.*must be a size such as 8MB or 128MiB[\s\S]*GRAVIX_DUCKDB_FILE_CACHE/,
    );
  });
});
