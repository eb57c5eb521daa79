import fc from 'fast-check';
import {
  buildDataFileKey,
  buildDayTileKey,
  buildManifestKey,
  buildTableFilesGlob,
  buildTablePrefix,
  buildTenantManifestsPrefix,
  manifestsPrefix,
  metricsTableLayouts,
  metricsTableNames,
  metricsTables,
  dayHoursTileTables,
  dayQuarterTileTables,
  dayTileTables,
  openDayTileOf,
  openDayTileTables,
  buildOpenDayTileKey,
  parseOpenDayTileKey,
  buildOpenHourTileKey,
  openHourTileTables,
  parseOpenHourTileKey,
  parseDayTileKey,
  parseManifestKey,
  partitionColumns,
  type MetricsTableName,
} from './metrics-layout.js';
import {
  buildDayMarkerKey,
  dayMarkersPrefix,
  buildOpenHourMarkerKey,
  parseOpenHourMarkerKey,
  parseDayMarkerKey,
} from './metrics-markers.js';
import { tenantIdPattern } from './raw-record.js';

const tenant = fc.stringMatching(tenantIdPattern);
const date = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const hour = fc.integer({ min: 0, max: 23 }).map((h) => String(h).padStart(2, '0'));
const partition = fc.record({ tenant, date, hour });
const digest = fc.stringMatching(/^[0-9a-f]{64}$/);

describe('metrics table catalogue', () => {
  it('spells the documented keys of the metrics layer', () => {
    const p = { tenant: 'acme', date: '2026-11-20', hour: '07' };
    expect(buildDataFileKey('request_metrics_minute', p)).toBe(
      'metrics/request_metrics_minute/tenant=acme/date=2026-11-20/hour=07/part-00000.parquet',
    );
    expect(buildManifestKey(p)).toBe('metrics/_manifests/tenant=acme/date=2026-11-20/hour=07.json');
    expect(buildDayTileKey('acme', '2026-11-20')).toBe(
      'metrics/request_metrics_day/tenant=acme/date=2026-11-20/part-00000.parquet',
    );
    expect(buildDayMarkerKey('acme', '2026-11-20', 'a'.repeat(64))).toBe(
      `metrics/_manifests_day/tenant=acme/date=2026-11-20/${'a'.repeat(64)}`,
    );
    expect(buildTenantManifestsPrefix('acme')).toBe('metrics/_manifests/tenant=acme/');
  });

  it('globs one level per partition column below the tenant: date/hour for hour tables, date for day tiles', () => {
    expect(buildTableFilesGlob('request_metrics_minute', 'acme')).toBe(
      'metrics/request_metrics_minute/tenant=acme/*/*/part-00000.parquet',
    );
    expect(buildTableFilesGlob('request_metrics_day', 'acme')).toBe(
      'metrics/request_metrics_day/tenant=acme/*/part-00000.parquet',
    );
  });

  it('globs the data file only, never a lock or temp file beside it', () => {
    const glob = buildTableFilesGlob('service_metrics_hour', 'acme');
    const matches = (key: string) =>
      new RegExp(`^${glob.replaceAll('.', '\\.').replaceAll('*', '[^/]*')}$`).test(key);
    const dir = 'metrics/service_metrics_hour/tenant=acme/date=2026-11-20/hour=05/';
    expect(matches(`${dir}part-00000.parquet`)).toBe(true);
    expect(matches(`${dir}.lock-part-00000.parquet`)).toBe(false);
  });

  it('parses every key it builds back into what it was built from', () => {
    fc.assert(
      fc.property(partition, digest, (p, d) => {
        expect(parseManifestKey(buildManifestKey(p))).toEqual(p);
        for (const table of dayTileTables) {
          expect(parseDayTileKey(buildDayTileKey(p.tenant, p.date, table))).toEqual({
            table,
            tenant: p.tenant,
            date: p.date,
          });
        }
        expect(parseDayMarkerKey(buildDayMarkerKey(p.tenant, p.date, d))).toEqual({
          tenant: p.tenant,
          date: p.date,
          digest: d,
        });
      }),
    );
  });

  it('parses no key of one kind as another, nor a data file as a manifest', () => {
    fc.assert(
      fc.property(partition, digest, (p, d) => {
        const manifest = buildManifestKey(p);
        const tile = buildDayTileKey(p.tenant, p.date);
        const marker = buildDayMarkerKey(p.tenant, p.date, d);
        const files = metricsTables.map((t) => buildDataFileKey(t, p));
        for (const key of [tile, marker, ...files]) expect(parseManifestKey(key)).toBeUndefined();
        for (const key of [manifest, marker, ...files]) expect(parseDayTileKey(key)).toBeUndefined();
        for (const key of [manifest, tile, ...files]) expect(parseDayMarkerKey(key)).toBeUndefined();
      }),
    );
  });

  it('refuses keys that only look like manifests', () => {
    for (const key of [
      'metrics/_manifests/tenant=acme/date=2026-11-20/hour=7.json',
      'metrics/_manifests/tenant=acme/date=2026-11-20/hour=07.json.tmp',
      'metrics/_manifests/tenant=acme/2026-11-20/hour=07.json',
      'xmetrics/_manifests/tenant=acme/date=2026-11-20/hour=07.json',
      'metrics/_manifestsXtenant=acme/date=2026-11-20/hour=07.json',
    ]) {
      expect(parseManifestKey(key)).toBeUndefined();
    }
  });

  it('keeps each table under its own prefix and the bookkeeping keys apart from every table', () => {
    const prefixes = metricsTableNames.map(buildTablePrefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const prefix of prefixes) {
      expect(manifestsPrefix.startsWith(prefix)).toBe(false);
      expect(dayMarkersPrefix.startsWith(prefix)).toBe(false);
    }
  });

  it('gives a day-hours tile exactly the columns of the hour table it tiles, so the same encoders write it', () => {
    expect(metricsTableLayouts.request_metrics_day_hours.columns).toEqual(
      metricsTableLayouts.request_metrics_hour.columns,
    );
    expect(metricsTableLayouts.service_metrics_day_hours.columns).toEqual(
      metricsTableLayouts.service_metrics_hour.columns,
    );
    expect(metricsTableLayouts.service_edges_day_hours.columns).toEqual(
      metricsTableLayouts.service_edges_hour.columns,
    );
  });

  it('counts every day tile of hour rows in dayHoursTileTables, and only those', () => {
    expect([...dayHoursTileTables].sort()).toEqual(
      dayTileTables.filter((t) => metricsTableLayouts[t].timeColumn === 'hour_ms').sort(),
    );
  });

  it('counts every day tile of quarter-hour rows in dayQuarterTileTables, and only those', () => {
    expect([...dayQuarterTileTables].sort()).toEqual(
      dayTileTables.filter((t) => metricsTableLayouts[t].timeColumn === 'quarter_ms').sort(),
    );
  });

  it('gives a quarter-hour tile the columns of its minute table, without exemplars (docs/adr/0141)', () => {
    const measures = (table: MetricsTableName) =>
      metricsTableLayouts[table].columns
        .slice(1)
        .filter((c) => !c.name.startsWith('exemplar_'))
        .map(({ name, type }) => ({ name, type }));
    expect(measures('request_metrics_day_quarters')).toEqual(measures('request_metrics_minute'));
    expect(measures('service_metrics_day_quarters')).toEqual(measures('service_metrics_minute'));
  });

  it('gives every table its time column first, then its key columns, each once', () => {
    for (const name of metricsTableNames) {
      const layout = metricsTableLayouts[name];
      const names = layout.columns.map((c) => c.name);
      expect(layout.name).toBe(name);
      expect(names.slice(0, 1 + layout.keyColumns.length)).toEqual([layout.timeColumn, ...layout.keyColumns]);
      expect(new Set(names).size).toBe(names.length);
      for (const partitionColumn of partitionColumns(name)) expect(names).not.toContain(partitionColumn);
    }
  });

  it('gives an open-day tile exactly the columns of the day tile it stands in for', () => {
    // Whether a column came later is each table's own history: service_metrics_open_day_quarters predates
    // service_metrics_day_quarters, whose files all have every column (docs/adr/0141).
    const stored = (table: MetricsTableName) =>
      metricsTableLayouts[table].columns.map(({ addedLater: _, ...c }) => c);
    for (const table of dayTileTables) expect(stored(openDayTileOf[table])).toEqual(stored(table));
  });

  it('names an open-day tile by its hours and parses nothing else as one', () => {
    for (const table of openDayTileTables) {
      const key = buildOpenDayTileKey('acme', '2026-11-20', 7, table);
      expect(key).toBe(`metrics/${table}/tenant=acme/date=2026-11-20/hours=07/part-00000.parquet`);
      expect(parseOpenDayTileKey(key)).toEqual({ table, tenant: 'acme', date: '2026-11-20', hours: 7 });
      expect(parseDayTileKey(key)).toBeUndefined();
      expect(parseManifestKey(key)).toBeUndefined();
    }
    for (const table of dayTileTables)
      expect(parseOpenDayTileKey(buildDayTileKey('acme', '2026-11-20', table))).toBeUndefined();
    expect(
      parseOpenDayTileKey(
        'metrics/request_metrics_open_day/tenant=acme/date=2026-11-20/hours=7/part-00000.parquet',
      ),
    ).toBeUndefined();
  });

  it('names an open-hour tile by its hour and minutes, and parses it back; no other parser takes it', () => {
    const partition = { tenant: 'acme', date: '2026-11-20', hour: '23' };
    for (const table of openHourTileTables) {
      const key = buildOpenHourTileKey(partition, 7, table);
      expect(key).toBe(`metrics/${table}/tenant=acme/date=2026-11-20/hour=23/minutes=07/part-00000.parquet`);
      expect(parseOpenHourTileKey(key)).toEqual({ table, partition, minutes: 7 });
      expect(parseOpenDayTileKey(key)).toBeUndefined();
      expect(parseDayTileKey(key)).toBeUndefined();
      expect(partitionColumns(table)).toEqual(['tenant', 'date', 'hour', 'minutes']);
    }
    expect(
      parseOpenHourTileKey(buildOpenDayTileKey('acme', '2026-11-20', 7, 'request_metrics_open_day')),
    ).toBe(undefined);
    const marker = buildOpenHourMarkerKey(partition, 'a'.repeat(64));
    expect(marker).toBe(`metrics/_manifests_open_hour/tenant=acme/date=2026-11-20/hour=23/${'a'.repeat(64)}`);
    expect(parseOpenHourMarkerKey(marker)).toEqual({ partition, digest: 'a'.repeat(64) });
    expect(parseDayMarkerKey(marker)).toBeUndefined();
  });

  it('partitions day tiles by tenant and date, open-day tiles by their hours too, and every other table by hour', () => {
    for (const name of dayTileTables) expect(partitionColumns(name)).toEqual(['tenant', 'date']);
    for (const name of openDayTileTables) expect(partitionColumns(name)).toEqual(['tenant', 'date', 'hours']);
    for (const name of metricsTables) expect(partitionColumns(name)).toEqual(['tenant', 'date', 'hour']);
  });
});
