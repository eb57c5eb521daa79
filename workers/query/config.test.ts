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

describe('loadQueryConfig, the engine (docs/query-api.md, "Trino outside Kubernetes")', () => {
  const trino = (url: string) => () =>
    loadQueryConfig({ ...keys, GRAVIX_QUERY_ENGINE: 'trino', GRAVIX_TRINO_URL: url });

  it('takes a coordinator base URL, http or https', () => {
    expect(trino('http://trino.internal:8080')().GRAVIX_TRINO_URL).toBe('http://trino.internal:8080');
    expect(trino('https://trino.example.com/')().GRAVIX_TRINO_URL).toBe('https://trino.example.com/');
  });

  it.each([
    ['trino:8080', 'trino:8080'],
    ['localhost:8080', 'localhost:8080'],
    ['ftp://trino:8080', 'ftp://trino:8080'],
    ['http://trino:8080/v1/statement', 'http://trino:8080/v1/statement'],
    ['http://trino:8080/?catalog=hive', 'http://trino:8080/?catalog=hive'],
    // The password is never shown.
    ['http://admin:pw@trino:8080', 'http://admin:***@trino:8080/'],
  ])('refuses %s with a configuration error naming the key, the value and the rule', (url, shown) => {
    expect(trino(url)).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: `invalid configuration: GRAVIX_TRINO_URL: ${JSON.stringify(shown)}: must be http(s)://host[:port] (the coordinator, no path, query or credentials)`,
      }),
    );
  });

  it('refuses a catalog that is not a lowercase SQL identifier (it is written into statements as one)', () => {
    expect(() =>
      loadQueryConfig({
        ...keys,
        GRAVIX_QUERY_ENGINE: 'trino',
        GRAVIX_TRINO_URL: 'http://trino:8080',
        GRAVIX_TRINO_CATALOG: 'hive.gravix; --',
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message:
          'invalid configuration: GRAVIX_TRINO_CATALOG="hive.gravix; --": must be a lowercase SQL identifier',
      }),
    );
  });

  it('refuses DuckDB over an S3 store when the configuration is loaded, not at the first start', () => {
    expect(() =>
      loadQueryConfig({
        ...keys,
        GRAVIX_STORE: 's3',
        GRAVIX_S3_BUCKET: 'gravix',
        GRAVIX_S3_ACCESS_KEY_ID: 'id',
        GRAVIX_S3_SECRET_ACCESS_KEY: 'secret',
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message:
          'invalid configuration: GRAVIX_QUERY_ENGINE="duckdb": DuckDB reads GRAVIX_STORE=local only; with GRAVIX_STORE=s3 set GRAVIX_QUERY_ENGINE=trino and GRAVIX_TRINO_URL',
      }),
    );
  });
});
