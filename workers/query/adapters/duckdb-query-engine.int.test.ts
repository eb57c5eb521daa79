import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import {
  buildPercentileCases,
  describeQueryEngineContract,
  loadContractData,
} from '../testing/query-engine.contract.js';
import { DuckDbQueryEngine } from './duckdb-query-engine.js';

// DuckDB is cheap to query, so it checks more generated percentile cases than the Trino run.
const cases = buildPercentileCases(12);

describeQueryEngineContract(
  'DuckDB over local Parquet',
  async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'gx-duck-')), 'store');
    const store = new LocalObjectStore(root);
    await loadContractData(store, cases);
    return { engine: await DuckDbQueryEngine.open(root), store };
  },
  { cases, depth: 'full' },
);
