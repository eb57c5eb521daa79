import { ConfigError } from '../workers/shared/config-error.js';
import { loadConfig } from './config.js';

describe('operator loadConfig', () => {
  it('defaults every key when running in a cluster', () => {
    const config = loadConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1' });
    expect(config.apiserver).toEqual({ inCluster: { host: '10.0.0.1', port: '443' } });
    expect(config).toMatchObject({ namespace: '', resyncMs: 300_000, concurrency: 4, http: { port: 8080 } });
    expect(config.leaderElection.enabled).toBe(false);
  });

  it('reports every bad key at once with its value and rule', () => {
    const load = () =>
      loadConfig({ GRAVIX_OPERATOR_HTTP_PORT: '99999', GRAVIX_OPERATOR_LEADER_ELECT: 'yes', PATH: '/bin' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      'invalid operator configuration: GRAVIX_OPERATOR_HTTP_PORT="99999": Too big: expected number to be <=65535; ' +
        'GRAVIX_OPERATOR_LEADER_ELECT="yes": Invalid option: expected one of "true"|"false"',
    );
  });

  it('refuses lease timings that could make two leaders, naming both values', () => {
    expect(() =>
      loadConfig({ GRAVIX_OPERATOR_LEASE_SECONDS: '5', GRAVIX_OPERATOR_LEASE_RENEW_DEADLINE_SECONDS: '5' }),
    ).toThrow(
      'invalid operator configuration: GRAVIX_OPERATOR_LEASE_RENEW_DEADLINE_SECONDS="5": must be less than GRAVIX_OPERATOR_LEASE_SECONDS (5)',
    );
    expect(loadConfig({}).leaderElection).toMatchObject({
      leaseSeconds: 15,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    });
  });

  it('asks for an unserved optional kind again after 1 minute, doubling to 10, unless told otherwise', () => {
    expect(loadConfig({}).optionalKindRetry).toEqual({ firstMs: 60_000, maxMs: 600_000 });
    expect(
      loadConfig({
        GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_SECONDS: '30',
        GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_MAX_SECONDS: '120',
      }).optionalKindRetry,
    ).toEqual({ firstMs: 30_000, maxMs: 120_000 });
    expect(() =>
      loadConfig({
        GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_SECONDS: '900',
        GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_MAX_SECONDS: '600',
      }),
    ).toThrow(
      'invalid operator configuration: GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_SECONDS="900": must not exceed GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_MAX_SECONDS (600)',
    );
  });
});
