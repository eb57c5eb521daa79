import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { describeQueryEngineContract, loadContractData } from '../query-engine.contract.js';
import { DuckDbQueryEngine } from './duckdb-query-engine.js';

describeQueryEngineContract('DuckDB over local Parquet', async () => {
  const root = join(mkdtempSync(join(tmpdir(), 'gx-duck-')), 'store');
  const store = new LocalObjectStore(root);
  await loadContractData(store);
  return { engine: await DuckDbQueryEngine.open(root), store };
});
