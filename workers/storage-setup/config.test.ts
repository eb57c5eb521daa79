import { ConfigError } from '../shared/config-error.js';
import { loadStorageSetupConfig } from './config.js';

const base = {
  GRAVIX_S3_BUCKET: 'gravix',
  GRAVIX_S3_ENDPOINT: 'http://demo-minio:9000',
  GRAVIX_S3_ACCESS_KEY_ID: 'root',
  GRAVIX_S3_SECRET_ACCESS_KEY: 'root-secret',
};

describe('loadStorageSetupConfig', () => {
  it('checks an external bucket without creating it or any user by default', () => {
    expect(loadStorageSetupConfig(base).options).toMatchObject({
      bucket: 'gravix',
      region: 'us-east-1',
      createBucket: false,
      users: undefined,
    });
  });

  it('reports every missing key at once, each component credential by name', () => {
    let caught: unknown;
    try {
      loadStorageSetupConfig({
        GRAVIX_S3_BUCKET: 'gravix',
        GRAVIX_STORAGE_MINIO_USERS: 'true',
        GRAVIX_STORAGE_INGEST_ACCESS_KEY_ID: 'i',
        GRAVIX_STORAGE_INGEST_SECRET_ACCESS_KEY: 'is',
        GRAVIX_STORAGE_ROLLUP_ACCESS_KEY_ID: 'r',
        GRAVIX_STORAGE_ROLLUP_SECRET_ACCESS_KEY: 'rs',
        GRAVIX_STORAGE_QUERY_ACCESS_KEY_ID: 'q',
        GRAVIX_STORAGE_QUERY_SECRET_ACCESS_KEY: 'qs',
        GRAVIX_STORAGE_TRINO_ACCESS_KEY_ID: 't',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual([
      'GRAVIX_S3_ACCESS_KEY_ID: Invalid input: expected string, received undefined',
      'GRAVIX_S3_SECRET_ACCESS_KEY: Invalid input: expected string, received undefined',
      'GRAVIX_STORAGE_TRINO_SECRET_ACCESS_KEY: is required when GRAVIX_STORAGE_MINIO_USERS is true',
      'GRAVIX_STORAGE_ALERT_ACCESS_KEY_ID: is required when GRAVIX_STORAGE_MINIO_USERS is true',
      'GRAVIX_STORAGE_ALERT_SECRET_ACCESS_KEY: is required when GRAVIX_STORAGE_MINIO_USERS is true',
    ]);
  });
});
