/**
 * Where an embedded (DuckDB) dashboard call's time goes (issue #18): each call of the query bench runs through
 * QueryService on DuckDB, with its process CPU time; every statement it sent then runs again under DuckDB's
 * profiler (JSON profile), and the operators that took longest print with their rows. Profiled times are inflated
 * and, on a loaded machine, noisy: read them for where the time goes, and A/B a change with
 * `query-bench.ts --baseline` (CPU time, interleaved).
 * Usage: bench/query/run.sh duckdb-breakdown [--calls "endpoints 7d,services 7d"] [--min-ms 2]
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { DuckDbQueryEngine } from '../../workers/query/adapters/duckdb-query-engine.js';
import { duckDbParams } from '../../workers/query/adapters/duckdb-statement-runner.js';
import { RollupManifests } from '../../workers/query/adapters/rollup-manifests.js';
import type { SqlStatement } from '../../workers/query/adapters/sql-statement.js';
import { QueryService } from '../../workers/query/app/query-service.js';
import { ensureDataset } from './query-dataset.js';
import { benchDataset, benchEnd, benchTenant, dashboardCalls, datasetRoot } from './dashboard-calls.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const only = arg('calls')?.split(',');
const minMs = Number(arg('min-ms') ?? 2);
const density = 0.25;
const root = datasetRoot(density);

/** One operator of DuckDB's JSON profile (the fields read here). */
interface ProfileNode {
  operator_type?: string;
  operator_timing?: number;
  operator_cardinality?: number;
  extra_info?: unknown;
  latency?: number;
  cpu_time?: number;
  children?: ProfileNode[];
}

/**
 * The engine's statements as it sends them. The bench reaches into the engine's protected `rows` (its one place
 * that runs a statement) instead of adding an observer to production code for a bench.
 */
function captureStatements(engine: DuckDbQueryEngine): SqlStatement[] {
  const captured: SqlStatement[] = [];
  const target = engine as unknown as { rows: (s: SqlStatement, signal?: AbortSignal) => Promise<unknown> };
  const rows = target.rows.bind(engine);
  target.rows = (statement, signal) => {
    captured.push(statement);
    return rows(statement, signal);
  };
  return captured;
}

async function profile(db: DuckDBConnection, statement: SqlStatement, file: string): Promise<string[]> {
  const { values, types } = duckDbParams(statement.params);
  await db.run(`PRAGMA enable_profiling = 'json'`);
  await db.run(`PRAGMA profiling_output = '${file}'`);
  await db.runAndReadAll(statement.text, values, types);
  await db.run('PRAGMA disable_profiling');
  const tree = JSON.parse(readFileSync(file, 'utf8')) as ProfileNode;
  const lines = [`  statement: ${((tree.latency ?? 0) * 1000).toFixed(0)} ms profiled`];
  const walk = (node: ProfileNode, depth: number) => {
    const ms = (node.operator_timing ?? 0) * 1000;
    if (ms >= minMs) {
      const info = JSON.stringify(node.extra_info ?? {}).slice(0, 140);
      const rows = String(node.operator_cardinality ?? 0).padStart(9);
      lines.push(
        `${ms.toFixed(1).padStart(9)} ms ${rows} rows ${' '.repeat(depth)}${node.operator_type} ${info}`,
      );
    }
    for (const child of node.children ?? []) walk(child, depth + 1);
  };
  walk(tree, 0);
  return lines;
}

async function main(): Promise<void> {
  await ensureDataset({ root, tenant: benchTenant, end: benchEnd, ...benchDataset, density });
  const manifests = new RollupManifests(new LocalObjectStore(root));
  const engine = await DuckDbQueryEngine.open(root, undefined, manifests);
  const captured = captureStatements(engine);
  const service = new QueryService(engine, manifests);
  const db = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
  const file = join(mkdtempSync(join(tmpdir(), 'gravix-duckdb-profile-')), 'profile.json');
  for (const call of dashboardCalls.filter((c) => !only || only.includes(c.name))) {
    await call.gravix(service);
    captured.length = 0;
    const cpu = process.cpuUsage();
    await call.gravix(service);
    const used = process.cpuUsage(cpu);
    const load = loadavg()[0]!.toFixed(1);
    const cpuMs = ((used.user + used.system) / 1000).toFixed(0);
    process.stdout.write(`\n${call.name}: ${cpuMs} ms CPU unprofiled, load ${load}\n`);
    for (const statement of [...captured]) {
      process.stdout.write(`${(await profile(db, statement, file)).join('\n')}\n`);
    }
  }
  await engine.close();
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
