import { ConfigError } from '../shared/config-error.js';
import { parseDevArgs } from './demo-args.js';
import { devRetention, loadDevEnvironment } from './config.js';

describe('loadDevEnvironment', () => {
  it('bounds the embedded process: no rollup scan threads and a 256MB DuckDB buffer pool by default', () => {
    const dev = loadDevEnvironment({});
    expect(dev.GRAVIX_ROLLUP_SCAN_THREADS).toBe(0);
    expect(dev.env['GRAVIX_DUCKDB_MEMORY_LIMIT']).toBe('256MB');
  });

  it('has DuckDB return what it freed and skip its file cache, unless the user says otherwise', () => {
    const dev = loadDevEnvironment({});
    expect(dev.env['GRAVIX_DUCKDB_ALLOCATOR_FLUSH_THRESHOLD']).toBe('8MB');
    expect(dev.env['GRAVIX_DUCKDB_FILE_CACHE']).toBe('false');
    const own = loadDevEnvironment({ GRAVIX_DUCKDB_FILE_CACHE: 'true' });
    expect(own.env['GRAVIX_DUCKDB_FILE_CACHE']).toBe('true');
  });

  it('bounds what a back-fill holds: 4 MiB segments packed on the event loop, a heap kept near its live set', () => {
    const dev = loadDevEnvironment({});
    expect(dev.env['GRAVIX_WAL_SEGMENT_BYTES']).toBe(String(4 * 1024 * 1024));
    expect(dev.env['GRAVIX_WAL_PACK_THREADS']).toBe('0');
    expect(dev.GRAVIX_DEV_HEAP_GROWING_PERCENT).toBe(10);
    expect(loadDevEnvironment({ GRAVIX_DEV_HEAP_GROWING_PERCENT: '0' }).GRAVIX_DEV_HEAP_GROWING_PERCENT).toBe(
      0,
    );
  });

  it('refuses a heap growing percent that is not a whole number from 0 to 1000, naming the key', () => {
    expect(() => loadDevEnvironment({ GRAVIX_DEV_HEAP_GROWING_PERCENT: '-5' })).toThrow(
      /GRAVIX_DEV_HEAP_GROWING_PERCENT/,
    );
    expect(() => loadDevEnvironment({ GRAVIX_DEV_HEAP_GROWING_PERCENT: '2.5' })).toThrow(ConfigError);
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

describe('gravix dev --demo --history', () => {
  it('reads the history length in minutes, hours or days', () => {
    expect(parseDevArgs(['--demo', '--history', '8d'])).toEqual({ demo: true, historyMs: 8 * 86_400_000 });
    expect(parseDevArgs(['--history', '90m', '--demo'])).toEqual({ demo: true, historyMs: 90 * 60_000 });
    expect(parseDevArgs(['--demo'])).toEqual({ demo: true, historyMs: undefined });
    expect(parseDevArgs(['--alerts', 'rules.yaml', '--tenants', 't.yaml'])).toEqual({
      demo: false,
      historyMs: undefined,
    });
  });

  it.each([
    [
      ['--demo', '--history'],
      'invalid gravix dev configuration: --history: must be a length such as 90m, 36h or 8d',
    ],
    [
      ['--demo', '--history', '8 days'],
      'invalid gravix dev configuration: --history="8 days": must be a length such as 90m, 36h or 8d',
    ],
    [
      ['--demo', '--history', '0d'],
      'invalid gravix dev configuration: --history="0d": must be a length such as 90m, 36h or 8d',
    ],
    [
      ['--demo', '--history', '31d'],
      'invalid gravix dev configuration: --history="31d": must be at most 30d (the embedded metrics retention)',
    ],
    [
      ['--history', '8d'],
      'invalid gravix dev configuration: --history="8d": needs --demo (it back-dates the demo traffic)',
    ],
    [
      ['--demo', '--ingest-port', '0'],
      'invalid gravix dev configuration: "--ingest-port": not an argument of gravix dev (it takes --demo, --history D, --alerts FILE, --tenants FILE; see gravix dev --help)',
    ],
  ])('refuses %j', (argv, message) => {
    expect(() => parseDevArgs(argv)).toThrow(
      new ConfigError([message.replace(/^.*configuration: /, '')], { subject: 'gravix dev' }),
    );
    expect(() => parseDevArgs(argv)).toThrow(message);
  });

  it('lets ingest take facts as old as the history, and refuses a user limit that would drop some', () => {
    expect(loadDevEnvironment({}, 8 * 86_400_000).env['GRAVIX_MAX_PAST_MS']).toBe(
      String(8 * 86_400_000 + 3_600_000),
    );
    expect(loadDevEnvironment({}, 3_600_000).env['GRAVIX_MAX_PAST_MS']).toBe(String(7 * 86_400_000));
    expect(loadDevEnvironment({}).env['GRAVIX_MAX_PAST_MS']).toBeUndefined();
    expect(() => loadDevEnvironment({ GRAVIX_MAX_PAST_MS: '86400000' }, 2 * 86_400_000)).toThrow(
      'invalid configuration: GRAVIX_MAX_PAST_MS: must be at least the --history length plus an hour (176400000 ms), or ingest refuses the oldest demo facts',
    );
    expect(loadDevEnvironment({ GRAVIX_DEMO_RATE: '0.5' }).GRAVIX_DEMO_RATE).toBe(0.5);
    expect(() => loadDevEnvironment({ GRAVIX_DEMO_RATE: '0' })).toThrow(/GRAVIX_DEMO_RATE/);
  });

  it('keeps raw data as long as ingest takes facts, so no back-dated fact lands in a retired hour', () => {
    const day = 86_400_000;
    expect(devRetention(7 * day)).toEqual({ rawRetentionMs: 7 * day, metricsRetentionMs: 30 * day });
    // --history 8d lets ingest take facts 8 days and an hour old: raw data stays that long.
    const history = loadDevEnvironment({}, 8 * day).env['GRAVIX_MAX_PAST_MS'];
    expect(devRetention(Number(history)).rawRetentionMs).toBe(8 * day + 3_600_000);
    // Never past the metrics retention, which deletes older hours with their raw data anyway.
    expect(devRetention(30 * day + 3_600_000).rawRetentionMs).toBe(30 * day);
    expect(devRetention(3_600_000).rawRetentionMs).toBe(7 * day);
  });
});
