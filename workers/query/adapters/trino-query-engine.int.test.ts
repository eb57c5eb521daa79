import { startMinio, type MinioServer } from '../../../testbin/harness/minio-server.js';
import { listTrinoQueries, startTrino, type TrinoServer } from '../../../testbin/harness/trino-server.js';
import { S3ObjectStore } from '../../adapters/object-store/s3-object-store.js';
import {
  buildPercentileCases,
  describeQueryEngineContract,
  loadContractData,
} from '../testing/query-engine.contract.js';
import { describeResultCacheContract } from '../testing/result-cache.contract.js';
import { describeCommitWhileQuerying } from '../testing/commit-while-querying.contract.js';
import { describeHostileTextContract } from '../testing/hostile-text.contract.js';
import { describeExemplarsContract } from '../testing/exemplars.contract.js';
import { describeServiceMapContract } from '../testing/service-map.contract.js';
import { describeServiceMapTilesContract } from '../testing/service-map-tiles.contract.js';
import { RollupManifests } from './rollup-manifests.js';
import { BasicAuth, Trino } from 'trino-client';
import { addedLaterColumns, metricsTableNames } from '../../domain/metrics-layout.js';
import {
  buildTrinoDialect,
  buildTrinoTableDdl,
  TrinoQueryEngine,
  trinoTableName,
  type HistogramMerge,
} from './trino-query-engine.js';
import { buildSeededRandom } from '../../domain/seeded-random.js';
import { chooseWarmUpTarget } from '../domain/warm-up-target.js';
import { QueryService } from '../app/query-service.js';

let minio: MinioServer;
let trino: TrinoServer;
let store: S3ObjectStore;
const bucket = 'gravix';
// Few, rich generated cases: every query is a Trino round trip, and this file starts Trino once.
const cases = buildPercentileCases(2);
let opened: Promise<TrinoQueryEngine> | undefined;

afterAll(async () => {
  store?.destroy();
  await trino?.stop();
  await minio?.stop();
});

/** One MinIO and one Trino for every suite in this file. */
function openTrino(): Promise<TrinoQueryEngine> {
  opened ??= (async () => {
    minio = await startMinio();
    await minio.createBucket(bucket);
    store = new S3ObjectStore(minio.s3Options(bucket));
    // Assigned as soon as it runs: if loading the data fails, afterAll must still stop this Trino (a failed load
    // used to leave a 2 GiB Trino running on the shared machine).
    await Promise.all([
      startTrino({ s3: minio, metastoreBucket: bucket }).then((server) => (trino = server)),
      loadContractData(store, cases),
    ]);
    await createTablesAsBeforeStatusClasses();
    await createTablesAsBeforeInjectedDates();
    return openEngine();
  })();
  return opened;
}

function trinoClient(): Trino {
  return Trino.create({ server: trino.url, catalog: trino.catalog, auth: new BasicAuth('gravix') });
}

async function runSql(sql: string): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for await (const result of await trinoClient().query(sql)) {
    if (result.error) throw new Error(result.error.message);
    rows.push(...((result.data ?? []) as unknown[][]));
  }
  return rows;
}

/**
 * The external tables as a version without the status classes created them, so every engine this file opens has
 * to add the later columns (ALTER TABLE ADD COLUMN) before the contract reads them.
 */
async function createTablesAsBeforeStatusClasses(): Promise<void> {
  await runSql(
    `CREATE SCHEMA IF NOT EXISTS ${trino.catalog}.gravix WITH (location = 's3://${bucket}/trino/gravix')`,
  );
  for (const table of metricsTableNames) {
    let ddl = buildTrinoTableDdl(trino.catalog, 'gravix', `s3://${bucket}/`, table);
    for (const c of addedLaterColumns(table)) ddl = ddl.replace(new RegExp(`, ${c.name} \\w+`), '');
    await runSql(ddl);
  }
}

/**
 * The tables as the version before docs/adr/0145 created them and still queries them during a rolling upgrade:
 * the catalogue's names, a date projection over a range, statements bounding "date" with BETWEEN.
 */
const preInjectedTable = (table: (typeof metricsTableNames)[number]) => `${trino.catalog}.gravix.${table}`;

async function createTablesAsBeforeInjectedDates(): Promise<void> {
  for (const table of metricsTableNames) {
    const ddl = buildTrinoTableDdl(trino.catalog, 'gravix', `s3://${bucket}/`, table)
      .replace(`.${trinoTableName(table)} (`, `.${table} (`)
      .replace(
        `"date" varchar WITH (partition_projection_type = 'injected')`,
        `"date" varchar WITH (partition_projection_type = 'date', partition_projection_format = 'yyyy-MM-dd', partition_projection_range = ARRAY['2000-01-01', 'NOW+1DAYS'])`,
      );
    expect(ddl).toContain(`${preInjectedTable(table)} (`);
    await runSql(ddl);
  }
}

describe('Trino tables of the version before injected dates (a rolling upgrade)', () => {
  it('are left as they were: that version still reads a date range from them while this one reads its own', async () => {
    await openTrino();
    const tables = (await runSql(`SHOW TABLES FROM ${trino.catalog}.gravix`)).map((r) => String(r[0]));
    expect(tables).toEqual(
      expect.arrayContaining([...metricsTableNames, ...metricsTableNames.map(trinoTableName)]),
    );
    const [[oldRows]] = (await runSql(
      `SELECT count(*) FROM ${preInjectedTable('request_metrics_minute')} WHERE tenant = 'legacy' AND "date" BETWEEN '2026-11-19' AND '2026-11-21'`,
    )) as [[number]];
    const [[newRows]] = (await runSql(
      `SELECT count(*) FROM ${trino.catalog}.gravix.${trinoTableName('request_metrics_minute')} WHERE tenant = 'legacy' AND "date" IN ('2026-11-19', '2026-11-20', '2026-11-21')`,
    )) as [[number]];
    expect(oldRows).toBeGreaterThan(0);
    expect(newRows).toBe(oldRows);
    // This version's tables take dates one by one only: a range is refused, so no statement of it may send one.
    await expect(
      runSql(
        `SELECT count(*) FROM ${trino.catalog}.gravix.${trinoTableName('request_metrics_minute')} WHERE tenant = 'legacy' AND "date" BETWEEN '2026-11-19' AND '2026-11-21'`,
      ),
    ).rejects.toThrow(/[Ii]njected/);
  }, 900_000);
});

describe('Trino tables created before a column was added to the catalogue', () => {
  it('get the later columns when an engine opens, and read them as NULL in older files', async () => {
    await openTrino();
    const minuteTable = `${trino.catalog}.gravix.${trinoTableName('request_metrics_minute')}`;
    const columns = await runSql(`SHOW COLUMNS FROM ${minuteTable}`);
    const names = columns.map((row) => row[0]);
    expect(names).toEqual(expect.arrayContaining(['status_1xx', 'status_2xx', 'status_3xx']));
    const [[nulls, rows]] = (await runSql(
      `SELECT count(*) FILTER (WHERE status_2xx IS NULL), count(*) FROM ${minuteTable} WHERE tenant = 'legacy' AND "date" = '2026-11-20'`,
    )) as [[number, number]];
    expect(nulls).toBe(rows);
    expect(rows).toBeGreaterThan(0);
  }, 900_000);
});

describe('Trino engines opened at the same moment on a new schema', () => {
  it('all open: a schema or table another opener created meanwhile is not an error', async () => {
    await openTrino();
    const commits = new RollupManifests(store, { maxAgeMs: 0 });
    // The query and alert pods of a new pipeline open theirs together; one used to fail "Schema already exists".
    const open = () =>
      TrinoQueryEngine.open({
        server: trino.url,
        catalog: trino.catalog,
        schema: 'opened_together',
        warehouse: `s3://${bucket}/`,
        tiles: (tenant) => commits.tiles(tenant),
      });
    const engines = await Promise.all([open(), open(), open()]);
    expect(engines).toHaveLength(3);
    const tables = (await runSql(`SHOW TABLES FROM ${trino.catalog}.opened_together`)).map((r) => r[0]);
    expect(tables.sort()).toEqual(metricsTableNames.map(trinoTableName).sort());
  }, 900_000);
});

/** Trino's statements so far (its REST API; the query list has no stats: inputRows asks per query). */
const trinoStatements = () => listTrinoQueries(trino);

async function inputRows(queryId: string): Promise<number> {
  const response = await fetch(`${trino.url}/v1/query/${queryId}`, { headers: { 'X-Trino-User': 'gravix' } });
  const info = (await response.json()) as { queryStats: { physicalInputPositions?: number } };
  return info.queryStats.physicalInputPositions ?? 0;
}

describe('The warm-up of a starting Trino engine', () => {
  it("reads the newest tenant's files, so the first dashboard call finds the reader compiled (ADR 0087)", async () => {
    await openTrino();
    const commits = new RollupManifests(store, { maxAgeMs: 0 });
    const target = chooseWarmUpTarget(await commits.freshnessPerTenant());
    expect(target).toBeDefined();
    const before = new Set((await trinoStatements()).map((q) => q.queryId));
    await TrinoQueryEngine.open({
      server: trino.url,
      catalog: trino.catalog,
      schema: 'gravix',
      warehouse: `s3://${bucket}/`,
      tiles: (tenant) => commits.tiles(tenant),
      warmUpTarget: async () => chooseWarmUpTarget(await commits.freshnessPerTenant()),
    });
    const warmUp = (await trinoStatements()).filter(
      (q) => !before.has(q.queryId) && /^\/\* gravix-statement [^*]+ \*\/ EXECUTE IMMEDIATE/.test(q.query),
    );
    expect(warmUp).toHaveLength(3);
    for (const q of warmUp) expect(q.query).toContain(`'${target!.tenant}'`);
    const rows = await Promise.all(warmUp.map((q) => inputRows(q.queryId)));
    expect(rows.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 900_000);

  it('falls back to a tenant without files when choosing the target fails, and still opens', async () => {
    await openTrino();
    const commits = new RollupManifests(store, { maxAgeMs: 0 });
    const before = new Set((await trinoStatements()).map((q) => q.queryId));
    await TrinoQueryEngine.open({
      server: trino.url,
      catalog: trino.catalog,
      schema: 'gravix',
      warehouse: `s3://${bucket}/`,
      tiles: (tenant) => commits.tiles(tenant),
      warmUpTarget: () => Promise.reject(new Error('listing failed')),
    });
    const warmUp = (await trinoStatements()).filter(
      (q) => !before.has(q.queryId) && /^\/\* gravix-statement [^*]+ \*\/ EXECUTE IMMEDIATE/.test(q.query),
    );
    expect(warmUp.map((q) => q.query.includes("'_warmup'"))).toEqual([true, true, true]);
  }, 900_000);
});

describe("A compare overlay before the tenant's first committed hour", () => {
  it('costs Trino no statement: only the current range is asked (docs/adr/0099)', async () => {
    const engine = await openTrino();
    const service = new QueryService(engine, new RollupManifests(store));
    const before = new Set((await trinoStatements()).map((q) => q.queryId));
    const [from, to] = [Date.parse('2026-11-20T10:00:00Z'), Date.parse('2026-11-20T12:00:00Z')];
    const answer = await service.timeseries({ tenant: 'acme', from, to, stepMs: 3_600_000, compare: '7d' });
    expect(answer.compare!.points.map((p) => p.requests)).toEqual([0, 0]);
    const sent = (await trinoStatements()).filter((q) => !before.has(q.queryId));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.query).toContain("'2026-11-20'");
  }, 900_000);
});

/** The system session properties Trino ran a statement with (its query info). */
async function sessionOf(queryId: string): Promise<Record<string, string>> {
  const response = await fetch(`${trino.url}/v1/query/${queryId}`, { headers: { 'X-Trino-User': 'gravix' } });
  const info = (await response.json()) as { session: { systemProperties: Record<string, string> } };
  return info.session.systemProperties;
}

describe('Trino statements grouped by endpoint (docs/adr/0147)', () => {
  it('run without partial aggregation; by step Trino keeps its default', async () => {
    const engine = await openTrino();
    const [from, to] = [Date.parse('2026-11-20T10:00:00Z'), Date.parse('2026-11-20T12:00:00Z')];
    const sessions = async (run: () => Promise<unknown>) => {
      const before = new Set((await trinoStatements()).map((q) => q.queryId));
      await run();
      const sent = (await trinoStatements()).filter((q) => !before.has(q.queryId));
      expect(sent.length).toBeGreaterThan(0);
      return Promise.all(sent.map((q) => sessionOf(q.queryId)));
    };
    const endpoints = await sessions(() =>
      engine.summaries({ tenant: 'acme', from, to, groupBy: 'endpoint', top: { by: 'p95', limit: 5 } }),
    );
    for (const session of endpoints) expect(session['prefer_partial_aggregation']).toBe('false');
    const steps = await sessions(() =>
      engine.summaries({ tenant: 'acme', from, to, groupBy: 'step', stepMs: 3_600_000 }),
    );
    for (const session of steps) expect(session['prefer_partial_aggregation']).toBeUndefined();
  }, 900_000);
});

/** One stored row's histogram as the tables hold it: bucket indexes (array(integer)) and their counts. */
interface HistogramCase {
  group: number;
  indexes: (number | null)[];
  counts: (number | null)[];
}

const sqlArray = (values: (number | null)[], type: 'INTEGER' | 'BIGINT') =>
  `CAST(ARRAY[${values.map((v) => (v === null ? 'NULL' : String(v))).join(', ')}] AS ARRAY(${type}))`;

/**
 * Each group's rows merged by the dialect's merge, exactly as a statement's collect, fold and lists run it, over
 * the rows as VALUES: the group's indexes and counts as Trino answers them, ordered by group.
 */
async function mergeOnTrino(
  rows: readonly HistogramCase[],
  merge: HistogramMerge,
): Promise<{ group: number; indexes: number[]; counts: number[] }[]> {
  const m = buildTrinoDialect(trino.catalog, 'gravix', merge).mergeBuckets!;
  const lists = m.lists('f.buckets');
  const values = rows.map(
    (r) => `(${r.group}, ${sqlArray(r.indexes, 'INTEGER')}, ${sqlArray(r.counts, 'BIGINT')})`,
  );
  const answered = await runSql(
    [
      `SELECT f.g, ${lists.index}, ${lists.count}`,
      `FROM (SELECT h.g, ${m.fold('h')} AS buckets FROM (SELECT m.g, ${m.collect('m')}`,
      `  FROM (VALUES ${values.join(', ')}) AS m(g, latency_bucket_index, latency_bucket_count) GROUP BY m.g) AS h) AS f`,
      'ORDER BY f.g',
    ].join('\n'),
  );
  return answered.map(([group, indexes, counts]) => ({
    group: Number(group),
    indexes: ((indexes as unknown[] | null) ?? []).map(Number),
    counts: ((counts as unknown[] | null) ?? []).map(Number),
  }));
}

/** What merging a group's histograms means: every index's counts summed, the indexes ascending. */
function mergeReference(rows: readonly HistogramCase[]) {
  const groups = new Map<number, Map<number, number>>();
  for (const r of rows) {
    const sums = groups.get(r.group) ?? new Map<number, number>();
    groups.set(r.group, sums);
    r.indexes.forEach((index, i) => {
      const count = r.counts[i];
      if (index === null || count === null || count === undefined) return;
      sums.set(index, (sums.get(index) ?? 0) + count);
    });
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([group, sums]) => {
      const indexes = [...sums.keys()].sort((a, b) => a - b);
      return { group, indexes, counts: indexes.map((i) => sums.get(i)!) };
    });
}

/**
 * Random groups of histograms as the rollup stores them and as stored data could hold them: dense and sparse
 * index ranges, negative indexes (sub-millisecond buckets), the int32 extremes, an index repeated within a row,
 * empty rows, and groups of one row or of many (a group of many outgrows the function's first table).
 */
function generateHistograms(seed: number, groups: number): HistogramCase[] {
  const random = buildSeededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const rows: HistogramCase[] = [];
  for (let group = 0; group < groups; group++) {
    const rowCount = [1, 2, 5, 40][pick(4)]!;
    const spread = [3, 60, 2_000, 2 ** 31][pick(4)]!;
    const low = pick(2) === 0 ? -pick(400) : 0;
    for (let r = 0; r < rowCount; r++) {
      const length = pick(6) === 0 ? 0 : 1 + pick(50);
      const indexes = Array.from({ length }, () => {
        const extreme = pick(40);
        if (extreme === 0) return 2_147_483_647;
        if (extreme === 1) return -2_147_483_648;
        return Math.max(-2_147_483_648, Math.min(2_147_483_647, low + pick(spread)));
      });
      rows.push({ group, indexes, counts: indexes.map(() => (pick(10) === 0 ? 0 : 1 + pick(1_000_000))) });
    }
  }
  return rows;
}

describe("Gravix's histogram merge in Trino (gravix_merge_histograms, docs/adr/0146)", () => {
  it('sums every index of a group, indexes ascending, as the plain-SQL merge and the reference do', async () => {
    await openTrino();
    for (const seed of [1, 2, 3]) {
      const rows = generateHistograms(seed, 60);
      const expected = mergeReference(rows);
      expect(await mergeOnTrino(rows, 'native')).toEqual(expected);
      expect(await mergeOnTrino(rows, 'sql')).toEqual(expected);
    }
  }, 900_000);

  it('skips a NULL element with its pair and a NULL histogram, and answers NULL for a group of NULLs only', async () => {
    await openTrino();
    const rows = [
      { group: 1, indexes: [5, null, 7], counts: [1, 2, null] },
      { group: 1, indexes: [5], counts: [10] },
    ];
    expect(await mergeOnTrino(rows, 'native')).toEqual([{ group: 1, indexes: [5], counts: [11] }]);
    const merged = await runSql(
      `SELECT gravix_merge_histograms(i, c) FROM (VALUES (CAST(NULL AS ARRAY(INTEGER)), ARRAY[BIGINT '1'])) AS t(i, c)`,
    );
    expect(merged).toEqual([[null]]);
  }, 900_000);

  it('refuses a row whose indexes and counts differ in length, naming both lengths', async () => {
    await openTrino();
    await expect(runSql(`SELECT gravix_merge_histograms(ARRAY[1, 2], ARRAY[BIGINT '1'])`)).rejects.toThrow(
      'gravix_merge_histograms: 2 bucket indexes but 1 counts',
    );
  }, 900_000);

  it('is what an engine opened on a Trino that has it merges with', async () => {
    const engine = await openTrino();
    expect(engine.histogramMerge).toBe('native');
  }, 900_000);
});

/** An engine as one query replica opens it (its own commits, CREATE TABLE IF NOT EXISTS included). */
function openEngine(histogramMerge: 'auto' | 'sql' = 'auto'): Promise<TrinoQueryEngine> {
  const commits = new RollupManifests(store, { maxAgeMs: 0 });
  return TrinoQueryEngine.open({
    server: trino.url,
    catalog: trino.catalog,
    schema: 'gravix',
    warehouse: `s3://${bucket}/`,
    tiles: (tenant) => commits.tiles(tenant),
    histogramMerge,
  });
}

describeQueryEngineContract(
  'Trino over MinIO (Hive external tables)',
  async () => ({ engine: await openTrino(), store }),
  { cases, depth: 'lean' },
);

// The same contract through the plain-SQL merge, which a Trino without Gravix's functions runs (docs/adr/0146).
let sqlMergeEngine: Promise<TrinoQueryEngine> | undefined;
describeQueryEngineContract(
  'Trino over MinIO, histograms merged in plain SQL',
  async () => {
    await openTrino();
    sqlMergeEngine ??= openEngine('sql');
    return { engine: await sqlMergeEngine, store };
  },
  { cases, depth: 'lean' },
);

describeResultCacheContract('Trino over MinIO', async () => ({ engine: await openTrino(), store }));

describeCommitWhileQuerying('Trino over MinIO', async () => ({
  engine: await openTrino(),
  store,
  openReplica: openEngine,
}));

// Every seed and two generated names stored and listed; six of them walked through every filter (three or four
// Trino statements each, on the one Trino of this file: 18 names took 478 s at load 35).
describeHostileTextContract('Trino over MinIO', async () => ({ engine: await openTrino(), store }), {
  generated: 2,
  filtered: 6,
});

describeExemplarsContract('Trino over MinIO', async () => ({ engine: await openTrino(), store }));

describeServiceMapContract('Trino over MinIO', async () => ({ engine: await openTrino(), store }));

describeServiceMapTilesContract('Trino over MinIO', async () => ({ engine: await openTrino(), store }));
