import { ConfigError } from '../shared/config-error.js';
import { loadRollupConfig } from './config.js';

describe('loadRollupConfig', () => {
  it('defaults to a minute loop on the local store with 5 min lateness, 7 d raw and 90 d metrics retention', () => {
    const config = loadRollupConfig({}, []);
    expect(config).toMatchObject({
      mode: { kind: 'loop' },
      latenessMs: 300_000,
      intervalMs: 60_000,
      rawRetentionMs: 7 * 86_400_000,
      metricsRetentionMs: 90 * 86_400_000,
      includeOpen: false,
      store: { GRAVIX_STORE: 'local', GRAVIX_DATA_DIR: '.gravix-data' },
    });
  });

  it('takes the scan thread count from GRAVIX_ROLLUP_SCAN_THREADS and leaves it to the default when unset', () => {
    expect(loadRollupConfig({ GRAVIX_ROLLUP_SCAN_THREADS: '0' }, []).scanThreads).toBe(0);
    expect(loadRollupConfig({}, []).scanThreads).toBeUndefined();
  });

  it('pauses at phase boundaries only when the test-only GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS is set', () => {
    expect(loadRollupConfig({}, []).testPhasePauseMs).toBe(0);
    expect(loadRollupConfig({ GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS: '40' }, []).testPhasePauseMs).toBe(40);
    expect(() => loadRollupConfig({ GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS: '-1' }, [])).toThrow(ConfigError);
  });

  it('serves /metrics in loop mode only when GRAVIX_ROLLUP_HTTP_PORT is set, on all interfaces by default', () => {
    expect(loadRollupConfig({}, []).http).toBeUndefined();
    expect(loadRollupConfig({ GRAVIX_ROLLUP_HTTP_PORT: '8080' }, []).http).toEqual({
      host: '0.0.0.0',
      port: 8080,
    });
  });

  it('parses a backfill range given as RFC 3339 and epoch ms', () => {
    const config = loadRollupConfig({}, [
      '--backfill',
      '--from',
      '2026-11-20T00:00:00Z',
      '--to',
      '1795219200000',
    ]);
    expect(config.mode).toEqual({
      kind: 'backfill',
      fromMs: Date.parse('2026-11-20T00:00:00Z'),
      toMs: 1795219200000,
    });
  });

  it.each(['2026-11-20', 'Nov 20 2026 10:00', '2026-11-20T10:00:00', 'Fri, 20 Nov 2026 10:00:00 GMT'])(
    'refuses %j as a backfill bound: RFC 3339 with an offset or epoch ms only, as the help says',
    (from) => {
      expect(() => loadRollupConfig({}, ['--backfill', '--from', from, '--to', '1795219200000'])).toThrow(
        `'${from}' is not RFC 3339 or epoch ms`,
      );
    },
  );

  it('reports every bad env key and argument at once', () => {
    let caught: unknown;
    try {
      loadRollupConfig({ GRAVIX_ROLLUP_LATENESS_SECONDS: '-1', GRAVIX_STORE: 's3' }, [
        '--backfill',
        '--from',
        'yesterday',
      ]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toContain('GRAVIX_ROLLUP_LATENESS_SECONDS');
    expect(problems).toContain('GRAVIX_S3_BUCKET');
    expect(problems).toContain("from: 'yesterday' is not RFC 3339 or epoch ms");
  });

  it('requires --from and --to with --backfill', () => {
    expect(() => loadRollupConfig({}, ['--backfill', '--from', '1000'])).toThrow(
      'invalid configuration: --to: is required with --backfill',
    );
  });

  it('takes --derive-missing as its own mode, alone', () => {
    expect(loadRollupConfig({}, ['--derive-missing']).mode).toEqual({ kind: 'derive-missing' });
    expect(() => loadRollupConfig({}, ['--derive-missing', '--once'])).toThrow(
      'invalid configuration: --derive-missing: conflicts with --once and --backfill',
    );
  });

  it('refuses metrics retention shorter than raw retention', () => {
    expect(() =>
      loadRollupConfig({ GRAVIX_RAW_RETENTION_DAYS: '30', GRAVIX_METRICS_RETENTION_DAYS: '10' }, ['--once']),
    ).toThrow('invalid configuration: GRAVIX_METRICS_RETENTION_DAYS: must be >= GRAVIX_RAW_RETENTION_DAYS');
  });

  it('refuses unknown arguments naming them', () => {
    expect(() => loadRollupConfig({}, ['--onse'])).toThrow(/argv: Unknown option '--onse'/);
  });
});
