import { buildHiveCatalogProperties, buildTrinoJvmConfig } from './trino-settings.js';

const catalog = buildHiveCatalogProperties({
  metastoreDir: 's3://gravix/trino-metastore',
  endpoint: 'http://127.0.0.1:9000',
  region: 'us-east-1',
  pathStyle: true,
  accessKey: '${ENV:S3_ACCESS_KEY}',
  secretKey: '${ENV:S3_SECRET_KEY}',
});
const lines = catalog.trim().split('\n');

describe('the Hive catalog Gravix deploys and benches', () => {
  it('caches metastore objects and plans without statistics lookups', () => {
    expect(lines).toContain('hive.metastore-cache-ttl=10m');
    expect(lines).toContain('hive.table-statistics-enabled=false');
  });

  it('never caches file listings: the rollup replaces a partition file in place (ADR 0066)', () => {
    expect(lines.filter((line) => line.startsWith('hive.file-status-cache'))).toEqual([]);
  });

  it('reads a tile of up to 15 MB in one request, not column by column (ADR 0141)', () => {
    expect(lines).toContain('parquet.small-file-threshold=15MB');
  });

  it('keeps credentials as environment references', () => {
    expect(lines).toContain('s3.aws-access-key=${ENV:S3_ACCESS_KEY}');
  });
});

describe('the JVM flags Gravix runs Trino with', () => {
  it('start the heap at its maximum, extra flags after it (ADR 0147)', () => {
    const flags = buildTrinoJvmConfig('2G', ['-XX:TieredStopAtLevel=1']).trim().split('\n');
    expect(flags.slice(0, 3)).toEqual(['-server', '-Xmx2G', '-Xms2G']);
    expect(flags).toContain('-XX:TieredStopAtLevel=1');
    expect(flags).toContain('-XX:+UseG1GC');
  });

  it('refuses a heap that is not a JVM size', () => {
    expect(() => buildTrinoJvmConfig('2 GiB')).toThrow(RangeError);
  });
});
