import { rolledSecretData } from './secrets.js';

describe('rolledSecretData', () => {
  const data = {
    'minio-credentials': { accessKeyId: 'a' },
    's3-ingest': { accessKeyId: 'b' },
    'api-keys': { 'keys.json': '{}' },
  };

  it('keeps the Secrets pods read once and drops the API keys Secret, which ingest and query re-read', () => {
    expect(Object.keys(rolledSecretData(data))).toEqual(['minio-credentials', 's3-ingest']);
  });

  it('drops the API keys Secret by its full name when given the pipeline name, and no other pipeline’s', () => {
    const live = {
      'shop-minio-credentials': { accessKeyId: 'a' },
      'shop-api-keys': { 'keys.json': '{}' },
      'other-api-keys': { 'keys.json': '{}' },
    };
    expect(Object.keys(rolledSecretData(live, 'shop'))).toEqual(['shop-minio-credentials', 'other-api-keys']);
  });
});
