import { ConfigError } from '../shared/config-error.js';
import { loadIngestConfig } from './config.js';

const base = { GRAVIX_API_KEYS_FILE: '/keys.json' };
const problems = (env: Record<string, string>) => {
  try {
    loadIngestConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('loadIngestConfig', () => {
  it('accepts its defaults: /metrics on 9464, per-tenant budgets and rates, bounded clients', () => {
    expect(loadIngestConfig(base)).toMatchObject({
      GRAVIX_INGEST_METRICS_PORT: 9464,
      GRAVIX_SERVICE_BUDGET: 1000,
      GRAVIX_TENANT_ROUTE_BUDGET: 20_000,
      GRAVIX_TENANT_DISK_SHARE_PERCENT: 50,
      GRAVIX_MAX_JSON_DEPTH: 32,
      GRAVIX_HEADERS_TIMEOUT_MS: 10_000,
      GRAVIX_REQUEST_TIMEOUT_MS: 60_000,
      GRAVIX_MAX_CONNECTIONS: 2048,
      GRAVIX_TENANT_MAX_ACTIVE_BATCHES: 4,
      GRAVIX_TENANT_MAX_WAITING_BATCHES: 512,
      GRAVIX_TENANT_TURN_BYTES: 64 * 1024,
    });
  });

  it('takes 0 for the turn budget (bodies parsed as they arrive) and refuses a negative one', () => {
    expect(loadIngestConfig({ ...base, GRAVIX_TENANT_TURN_BYTES: '0' }).GRAVIX_TENANT_TURN_BYTES).toBe(0);
    expect(problems({ GRAVIX_TENANT_TURN_BYTES: '-1' })).toEqual([
      'GRAVIX_TENANT_TURN_BYTES="-1": Too small: expected number to be >=0',
    ]);
  });

  it('refuses a rate burst below the largest batch, which could never be accepted', () => {
    expect(problems({ GRAVIX_RATE_BURST: '999', GRAVIX_MAX_ITEMS_PER_BATCH: '1000' })).toEqual([
      'GRAVIX_RATE_BURST: must be at least GRAVIX_MAX_ITEMS_PER_BATCH, or a full batch is refused forever',
    ]);
    expect(problems({ GRAVIX_RATE_BURST: '1000', GRAVIX_MAX_ITEMS_PER_BATCH: '1000' })).toEqual([]);
  });

  it('refuses a byte burst below the largest body, and a headers timeout past the request timeout', () => {
    expect(
      problems({
        GRAVIX_RATE_BYTES_BURST: '1048576',
        GRAVIX_MAX_BODY_BYTES: '2097152',
        GRAVIX_HEADERS_TIMEOUT_MS: '70000',
      }),
    ).toEqual([
      'GRAVIX_RATE_BYTES_BURST: must be at least GRAVIX_MAX_BODY_BYTES, or a body of the largest size is refused forever',
      'GRAVIX_HEADERS_TIMEOUT_MS: must be at most GRAVIX_REQUEST_TIMEOUT_MS',
    ]);
  });

  it('refuses a JSON depth limit below what the byte-level path relies on', () => {
    expect(problems({ GRAVIX_MAX_JSON_DEPTH: '8' })).toEqual([
      'GRAVIX_MAX_JSON_DEPTH="8": Too small: expected number to be >=16',
    ]);
  });
});
