import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildRawPartition, type RawPartition } from '../../domain/raw-partition.js';
import type { RawFact } from '../../domain/raw-record.js';
import { buildSeededRandom } from '../../domain/seeded-random.js';
import { buildDataFileKey, buildManifestKey } from '../domain/rollup-manifest.js';
import { buildDayTileKey } from '../refresh-day-tiles.js';
import { rollupPhases } from '../test-phase-pause.js';
import { putRawSegment } from './raw-segments.js';
import { diffCells, readTableCells, recountFacts, type RecountTable } from './rollup-recount.js';
import { spawnRollup, type RollupProcess } from './rollup-processes.js';
import { buildSeededFacts } from './seeded-raw-events.js';

export interface FaultTrialOptions {
  seed: number;
  /** Stop starting new cycles after this many, or once `deadline` (epoch ms) passed, whichever comes first. */
  cycles: number;
  deadline: number;
  cli: string;
  /** An empty store and the env that points a `gravix rollup` process at it. */
  store: ObjectStore;
  storeEnv: Record<string, string>;
  /** GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS for the killed runs. */
  pauseMs: number;
  factsPerFile: number;
}

export interface FaultTrialReport {
  seed: number;
  cycles: number;
  runs: number;
  /** SIGKILLs delivered, by the phase the process was in ('anytime' = a random delay after start). */
  kills: Record<string, number>;
  /** Runs that finished before the kill they were meant to get. */
  unkilled: number;
  files: number;
  facts: number;
  /** Raw files that landed in an hour whose raw data retention had already started deleting (never counted). */
  stragglers: number;
  mismatches: string[];
}

interface PutFile {
  key: string;
  etag: string;
  size: number;
  hour: number;
  facts: RawFact[];
  /** Whether its hour's manifest was already marked for raw deletion when the file landed. */
  afterRetirement: boolean;
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;
/** Hours relative to the current one: two inside raw retention (1 day in the child), four past it. */
const hourOffsets = [-2, -3, -26, -49, -50, -73];
const childEnv = {
  GRAVIX_RAW_RETENTION_DAYS: '1',
  GRAVIX_METRICS_RETENTION_DAYS: '3650',
  GRAVIX_ROLLUP_LATENESS_SECONDS: '300',
};

/**
 * kill -9 at chosen moments of real `gravix rollup --once` processes while late files keep landing, then a run
 * to completion and an exact recount: every minute/hour/day/service row of every hour equals a recount of the
 * distinct facts the hour's final manifest covers; every file that landed before its hour's raw deletion began
 * is covered; no raw file was deleted unless its hour's final manifest covers it.
 */
export async function runFaultTrial(options: FaultTrialOptions): Promise<FaultTrialReport> {
  const random = buildSeededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const currentHour = Math.floor(Date.now() / hourMs) * hourMs;
  const hours = hourOffsets.map((o) => currentHour + o * hourMs);
  const files: PutFile[] = [];
  const report: FaultTrialReport = {
    seed: options.seed,
    cycles: 0,
    runs: 0,
    kills: {},
    unkilled: 0,
    files: 0,
    facts: 0,
    stragglers: 0,
    mismatches: [],
  };
  const env = { ...options.storeEnv, ...childEnv };
  while (report.cycles < options.cycles && Date.now() < options.deadline) {
    const cycle = report.cycles++;
    if (cycle === 0 || random() < 0.6) {
      for (let i = 0, n = 1 + Math.floor(random() * 2); i < n; i++) {
        files.push(await landFile(options, files, pick(hours), `c${cycle}-${i}`, random));
      }
    }
    const phase = random() < 0.15 ? 'anytime' : pick(rollupPhases);
    const run = spawnRollup(
      options.cli,
      { ...env, GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS: String(options.pauseMs) },
      ['--once'],
    );
    // Now and then a second process overlaps the killed one (a CronJob overlap, a manual run).
    const twin = random() < 0.1 ? spawnRollup(options.cli, env, ['--once']) : undefined;
    report.runs += twin ? 2 : 1;
    const killed = await killAt(run, phase, options.pauseMs, random);
    if (killed) report.kills[phase] = (report.kills[phase] ?? 0) + 1;
    else report.unkilled += 1;
    await twin?.exited;
  }
  const final = await spawnRollup(options.cli, env, ['--once']).exited;
  report.runs += 1;
  if (final.code !== 0)
    report.mismatches.push(`final run exited ${final.code}: ${final.output.slice(-2000)}`);
  report.files = files.length;
  report.facts = files.reduce((n, f) => n + f.facts.length, 0);
  report.stragglers = files.filter((f) => f.afterRetirement).length;
  report.mismatches.push(...(await checkStore(options.store, files, hours)));
  return report;
}

async function landFile(
  options: FaultTrialOptions,
  files: readonly PutFile[],
  hour: number,
  id: string,
  random: () => number,
): Promise<PutFile> {
  const partition = buildRawPartition('acme', hour);
  const manifest = await options.store.get(buildManifestKey(partition));
  const afterRetirement =
    manifest !== undefined &&
    (JSON.parse(new TextDecoder().decode(manifest.body)) as { raw_retired?: boolean }).raw_retired === true;
  const earlier = files.filter((f) => f.hour === hour);
  // A third of the files re-upload events that landed before (a client retry, a crash after upload).
  const facts =
    earlier.length > 0 && random() < 0.33
      ? earlier[Math.floor(random() * earlier.length)]!.facts.slice(0, 50)
      : buildSeededFacts({
          seed: Math.floor(random() * 2 ** 31),
          count: options.factsPerFile,
          fromMs: hour,
          idPrefix: id,
        });
  const key = await putRawSegment(options.store, facts, { ingester: `ing-${id}`, seq: 0 });
  const info = (await options.store.head(key))!;
  return { key, etag: info.etag, size: info.size, hour, facts, afterRetirement };
}

/** Waits for the process to reach the phase (its 1st-3rd pause there), then SIGKILLs it inside the pause. */
async function killAt(
  run: RollupProcess,
  phase: string,
  pauseMs: number,
  random: () => number,
): Promise<boolean> {
  const occurrence = 1 + Math.floor(random() * 3);
  const marker = `"phase":"${phase}"`;
  const started = Date.now();
  const anytimeMs = random() * 2_500;
  let done = false;
  void run.exited.then(() => (done = true));
  while (!done) {
    const reached =
      phase === 'anytime'
        ? Date.now() - started >= anytimeMs
        : run.output().split(marker).length - 1 >= occurrence;
    if (reached || Date.now() - started > 60_000) {
      await new Promise((r) => setTimeout(r, phase === 'anytime' ? 0 : random() * pauseMs));
      if (done) return false;
      run.child.kill('SIGKILL');
      await run.exited;
      return true;
    }
    await new Promise((r) => setTimeout(r, 3));
  }
  return false;
}

async function checkStore(
  store: ObjectStore,
  files: readonly PutFile[],
  hours: readonly number[],
): Promise<string[]> {
  const problems: string[] = [];
  const present = new Map((await store.list('raw/')).map((o) => [o.key, o]));
  const covered = new Map<number, RawFact[]>();
  for (const hour of hours) {
    const p = buildRawPartition('acme', hour);
    const object = await store.get(buildManifestKey(p));
    const landed = files.filter((f) => f.hour === hour);
    if (!object) {
      if (landed.length > 0) problems.push(`${label(p)}: no manifest, ${landed.length} files landed`);
      continue;
    }
    const manifest = JSON.parse(new TextDecoder().decode(object.body)) as {
      published: boolean;
      inputs: { key: string; etag: string; size: number }[];
    };
    if (!manifest.published) problems.push(`${label(p)}: manifest not published after a complete run`);
    const inputs = new Set(manifest.inputs.map((i) => `${i.key} ${i.etag} ${i.size}`));
    const counted: RawFact[] = [];
    for (const f of landed) {
      const isInput = inputs.has(`${f.key} ${f.etag} ${f.size}`);
      if (isInput) counted.push(...f.facts);
      else if (!f.afterRetirement) problems.push(`${f.key}: landed before retention began, not rolled up`);
      if (!isInput && !present.has(f.key))
        problems.push(`${f.key}: deleted by retention but never rolled up`);
    }
    covered.set(hour, counted);
    for (const table of [
      'request_metrics_minute',
      'request_metrics_hour',
      'service_metrics_minute',
      'service_metrics_hour',
    ] as const) {
      problems.push(...(await diffTable(store, buildDataFileKey(table, p), table, counted)));
    }
  }
  problems.push(...(await checkDayTiles(store, covered)));
  return problems;
}

async function diffTable(
  store: ObjectStore,
  key: string,
  table: RecountTable,
  facts: RawFact[],
): Promise<string[]> {
  const object = await store.get(key);
  if (!object) return facts.length > 0 ? [`${key}: missing`] : [];
  return diffCells(key, recountFacts(facts, table), readTableCells(object.body, table));
}

/** Closed days (day end + lateness passed) must have a tile equal to a recount of all their hours' facts. */
async function checkDayTiles(store: ObjectStore, covered: Map<number, RawFact[]>): Promise<string[]> {
  const byDay = new Map<number, RawFact[]>();
  for (const [hour, facts] of covered) {
    const day = hour - (hour % dayMs);
    byDay.set(day, [...(byDay.get(day) ?? []), ...facts]);
  }
  const problems: string[] = [];
  for (const [day, facts] of byDay) {
    if (day + dayMs + 300_000 > Date.now()) continue;
    const date = new Date(day).toISOString().slice(0, 10);
    problems.push(...(await diffTable(store, buildDayTileKey('acme', date), 'request_metrics_day', facts)));
  }
  return problems;
}

const label = (p: RawPartition) => `${p.date} ${p.hour}:00`;
