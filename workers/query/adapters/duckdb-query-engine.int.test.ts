import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
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
import { ResultCachingEngine } from '../app/result-cache.js';
import { answeredFromKeptRanges } from '../testing/kept-range-answers.js';
import { DuckDbQueryEngine, type DuckDbLimits } from './duckdb-query-engine.js';
import { RollupManifests } from './rollup-manifests.js';

// DuckDB is cheap to query, so it checks more generated percentile cases than the Trino run.
const cases = buildPercentileCases(12);

async function openDuckDb(data: (store: LocalObjectStore) => Promise<void>) {
  const root = join(mkdtempSync(join(tmpdir(), 'gx-duck-')), 'store');
  const store = new LocalObjectStore(root);
  await data(store);
  return { engine: await DuckDbQueryEngine.open(root), store, root };
}

// Both contract runs read one copy of the contract's data: loading it is most of this file's time.
let contractRoot: Promise<string> | undefined;
async function openContractData(limits?: DuckDbLimits) {
  contractRoot ??= (async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'gx-duck-')), 'store');
    await loadContractData(new LocalObjectStore(root), cases);
    return root;
  })();
  const root = await contractRoot;
  return { engine: await DuckDbQueryEngine.open(root, limits), store: new LocalObjectStore(root) };
}

/** What `gravix dev` opens (workers/dev/config.ts): a small buffer pool, freed memory returned, no file cache. */
const embeddedLimits: DuckDbLimits = {
  threads: 2,
  memoryLimit: '256MB',
  allocatorFlushThreshold: '8MB',
  fileCache: false,
};

describeQueryEngineContract('DuckDB over local Parquet', openContractData, { cases, depth: 'full' });

// The same contract through the result cache: the contract's data is all closed, so every answer (each call's
// second, once the first has loaded its closed range) is merged from kept histograms by the query service instead
// of ranked by the engine.
describeQueryEngineContract(
  'DuckDB behind the result cache',
  async () => {
    const { engine, store } = await openContractData(embeddedLimits);
    const commits = new RollupManifests(store, { maxAgeMs: 0 });
    const cache = new ResultCachingEngine(engine, commits, { maxBytes: 64 * 2 ** 20 });
    return { engine: answeredFromKeptRanges(cache), store };
  },
  { cases, depth: 'lean' },
);

describe('DuckDB memory settings', () => {
  it('hands the allocator and file cache settings to DuckDB, which refuses a bad size', async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'gx-duck-')), 'store');
    const lean = await DuckDbQueryEngine.open(root, embeddedLimits);
    await expect(lean.ping()).resolves.toBeUndefined();
    await lean.close();
    await expect(
      DuckDbQueryEngine.open(root, { ...embeddedLimits, allocatorFlushThreshold: 'lots' }),
    ).rejects.toThrow('Failed to set config');
  });
});

describeResultCacheContract('DuckDB over local Parquet', () => openDuckDb(async () => {}));

describeCommitWhileQuerying('DuckDB over local Parquet', async () => {
  const { engine, store, root } = await openDuckDb(async () => {});
  return { engine, store, openReplica: () => DuckDbQueryEngine.open(root) };
});

describeHostileTextContract('DuckDB over local Parquet', () => openDuckDb(async () => {}), { generated: 8 });

describeExemplarsContract('DuckDB over local Parquet', () => openDuckDb(async () => {}));

// Behind the result cache with "now" inside the data's second hour: the first hour is cached, the rest asked
// for, and the two lists merged in the kind's order (domain/exemplar-order.ts).
describeExemplarsContract('DuckDB behind the result cache, split at an open hour', async () => {
  const { engine, store } = await openDuckDb(async () => {});
  const commits = new RollupManifests(store, { maxAgeMs: 0 });
  const now = () => Date.parse('2026-11-22T11:30:00Z');
  return { engine: new ResultCachingEngine(engine, commits, { maxBytes: 64 * 2 ** 20, now }), store };
});

describeServiceMapContract('DuckDB over local Parquet', () => openDuckDb(async () => {}));

describeServiceMapTilesContract('DuckDB over local Parquet', () => openDuckDb(async () => {}));

// The same map through the result cache, the range split at an open hour (kept closed part + engine part).
describeServiceMapContract('DuckDB behind the result cache, split at an open hour', async () => {
  const { engine, store } = await openDuckDb(async () => {});
  const commits = new RollupManifests(store, { maxAgeMs: 0 });
  const now = () => Date.parse('2026-11-22T11:30:00Z');
  const cache = new ResultCachingEngine(engine, commits, { maxBytes: 64 * 2 ** 20, now });
  return { engine: answeredFromKeptRanges(cache), store };
});
