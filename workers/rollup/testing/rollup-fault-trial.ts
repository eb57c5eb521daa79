import { createHash } from 'node:crypto';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildRawPartition, type RawPartition } from '../../domain/raw-partition.js';
import type { RawEdge, RawFact } from '../../domain/raw-record.js';
import { unresolvedCallee } from '../../domain/request-vocabulary.js';
import { buildSeededRandom } from '../../domain/seeded-random.js';
import { buildDataFileKey, buildManifestKey } from '../../domain/metrics-layout.js';
import {
  buildDayTileKey,
  buildTableTenantPrefix,
  parseOpenDayTileKey,
  type DayTileTable,
} from '../../domain/metrics-layout.js';
import { rollupPhases, type RollupPhase } from '../app/test-phase-pause.js';
import { putRawSegment } from './raw-segments.js';
import {
  diffCells,
  edgesAsFacts,
  readTableCells,
  recountFacts,
  type RecountTable,
} from './rollup-recount.js';
import { spawnRollup, type RollupProcess } from './rollup-processes.js';
import { buildSeededFacts } from './seeded-raw-events.js';

export interface FaultTrialOptions {
  seed: number;
  /** Never more cycles than this. */
  cycles: number;
  /**
   * Stop starting new cycles once `deadline` (epoch ms) passed and at least `minKills` kills were delivered: how many
   * kills a trial delivers is then a count, not what a loaded machine manages before a time (at load 30 one took
   * ~6 s a cycle and delivered 7 kills in 60 s).
   */
  deadline: number;
  /** Kills the trial delivers before it stops, past the deadline if need be (default 0; `cycles` still bounds it). */
  minKills?: number;
  cli: string;
  /** An empty store and the env that points a `gravix rollup` process at it. */
  store: ObjectStore;
  storeEnv: Record<string, string>;
  /** GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS for the killed runs. */
  pauseMs: number;
  factsPerFile: number;
  /** How long after the start the boundary hour passes raw retention (default 60% of the time to the deadline). */
  retentionAfterMs?: number;
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
  /** Service-map edges beside the facts (edgesOf): every tile and table of edges is recounted too. */
  edges: RawEdge[];
  /** Whether its hour's manifest was already marked for raw deletion when the file landed. */
  afterRetirement: boolean;
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;
/**
 * Hours relative to the current one. Raw retention is 1 day in the child; the lateness window is set so that
 * hour -25 passes raw retention (+ lateness) during the trial: late files land in it before and after that.
 * Hours -49, -50 and -73 are past it from the start: they get their data before the first run (and rarely later:
 * stragglers). Hours -2 and -3 stay inside retention.
 */
const hourOffsets = [-2, -3, -25, -49, -50, -73];
const lateHourOffsets = [-2, -3, -25, -25, -25, -25];
const childEnv = { GRAVIX_RAW_RETENTION_DAYS: '1', GRAVIX_METRICS_RETENTION_DAYS: '3650' };

/**
 * kill -9 at chosen moments of real `gravix rollup --once` processes while late files keep landing, then a run
 * to completion and an exact recount: every minute/hour/day/service row of every hour equals a recount of the
 * distinct facts the hour's final manifest covers; every file that landed before its hour's raw deletion began
 * is covered; no raw file was deleted unless its hour's final manifest covers it.
 */
export async function runFaultTrial(options: FaultTrialOptions): Promise<FaultTrialReport> {
  const random = buildSeededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const start = Date.now();
  const currentHour = Math.floor(start / hourMs) * hourMs;
  const hours = hourOffsets.map((o) => currentHour + o * hourMs);
  const lateHours = lateHourOffsets.map((o) => currentHour + o * hourMs);
  const retentionAfterMs = options.retentionAfterMs ?? 0.6 * (options.deadline - start);
  const latenessMs = Math.ceil((start - currentHour + retentionAfterMs) / 1000) * 1000;
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
  const env = {
    ...options.storeEnv,
    ...childEnv,
    GRAVIX_ROLLUP_LATENESS_SECONDS: String(latenessMs / 1000),
  };
  let retentionRuns = 0;
  const killed = () => Object.values(report.kills).reduce((a, b) => a + b, 0);
  const more = () => Date.now() < options.deadline || killed() < (options.minKills ?? 0);
  while (report.cycles < options.cycles && more()) {
    const cycle = report.cycles++;
    const landing = cycle === 0 ? [...hours] : random() < 0.6 ? [pick(lateHours), pick(lateHours)] : [];
    if (random() < 0.05) landing.push(pick(hours));
    for (const [i, hour] of landing.entries()) {
      files.push(await landFile(options, files, hour, `c${cycle}-${i}`, random));
    }
    // Retention work exists only in the first runs after hour -25 passes raw retention: aim those at it.
    const retentionDue = Date.now() >= currentHour + latenessMs && retentionRuns++ < 3;
    await killedRun(options, env, random, report, retentionDue ? 'retention' : undefined);
  }
  const final = await spawnRollup(options.cli, env, ['--once']).exited;
  report.runs += 1;
  if (final.code !== 0)
    report.mismatches.push(`final run exited ${final.code}: ${final.output.slice(-2000)}`);
  report.files = files.length;
  report.facts = files.reduce((n, f) => n + f.facts.length, 0);
  report.stragglers = files.filter((f) => f.afterRetirement).length;
  report.mismatches.push(...(await checkStore(options.store, files, hours, latenessMs)));
  return report;
}

/** One `gravix rollup --once`, SIGKILLed in a chosen phase; now and then a second one overlaps it. */
async function killedRun(
  options: FaultTrialOptions,
  env: Record<string, string>,
  random: () => number,
  report: FaultTrialReport,
  aim?: RollupPhase,
): Promise<void> {
  const phase =
    aim ?? (random() < 0.15 ? 'anytime' : rollupPhases[Math.floor(random() * rollupPhases.length)]!);
  const pauseEnv = { ...env, GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS: String(options.pauseMs) };
  const run = spawnRollup(options.cli, pauseEnv, ['--once']);
  // A CronJob overlap or a manual run next to the scheduled one.
  const twin = random() < 0.1 ? spawnRollup(options.cli, env, ['--once']) : undefined;
  report.runs += twin ? 2 : 1;
  if (await killAt(run, phase, options.pauseMs, random)) report.kills[phase] = (report.kills[phase] ?? 0) + 1;
  else report.unkilled += 1;
  await twin?.exited;
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
  const edges = edgesOf(facts);
  const key = await putRawSegment(options.store, [...facts, ...edges], { ingester: `ing-${id}`, seq: 0 });
  const info = (await options.store.head(key))!;
  return { key, etag: info.etag, size: info.size, hour, facts, edges, afterRetirement };
}

const hexOf = (text: string, width: number) =>
  createHash('sha256').update(text).digest('hex').slice(0, width);

/**
 * A CLIENT-span edge for every fourth fact (chosen by the fact's id, so a re-uploaded fact re-sends the same edge),
 * half naming their callee; no SERVER span has a parent, so the others stay :unresolved.
 */
function edgesOf(facts: readonly RawFact[]): RawEdge[] {
  return facts.flatMap((f) => {
    const n = Number(f.event_id.split('-').at(-1));
    if (n % 4 !== 0) return [];
    const [traceId, spanId] = [hexOf(f.event_id, 32), hexOf(`span ${f.event_id}`, 16)];
    const edge: RawEdge = {
      kind: 'edge',
      tenant: f.tenant,
      event_id: `${traceId}-${spanId}`,
      ts: f.ts,
      caller: f.service,
      ...(n % 8 === 0 && { callee: 'db.internal:5432' }),
      status_code: f.status_code,
      latency_ms: f.latency_ms,
      trace_id: traceId,
      span_id: spanId,
    };
    return [edge];
  });
}

/** What a day's (or an open day's) tiles and an hour's files are recounted from. */
interface Counted {
  facts: RawFact[];
  edges: RawFact[];
}

/**
 * Waits for the process to reach the phase (its 1st or 2nd pause there), then SIGKILLs it inside the pause; false
 * when the process ended first. Shared with the open-hour trial (open-hour-fault-trial.ts).
 */
export async function killAt(
  run: RollupProcess,
  phase: string,
  pauseMs: number,
  random: () => number,
): Promise<boolean> {
  const occurrence = 1 + Math.floor(random() * 2);
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
  latenessMs: number,
): Promise<string[]> {
  const problems: string[] = [];
  const present = new Map((await store.list('raw/')).map((o) => [o.key, o]));
  const covered = new Map<number, Counted>();
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
    const edges = landed
      .filter((f) => inputs.has(`${f.key} ${f.etag} ${f.size}`))
      .flatMap((f) => edgesAsFacts(f.edges, unresolvedCallee));
    covered.set(hour, { facts: counted, edges });
    for (const table of [
      'request_metrics_minute',
      'request_metrics_hour',
      'service_metrics_minute',
      'service_metrics_hour',
    ] as const) {
      problems.push(...(await diffTable(store, buildDataFileKey(table, p), table, counted)));
    }
    for (const table of ['service_edges_minute', 'service_edges_hour'] as const)
      problems.push(...(await diffTable(store, buildDataFileKey(table, p), table, edges)));
  }
  problems.push(...(await checkDayTiles(store, covered, latenessMs)));
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

/**
 * Closed days (day end + lateness passed) must have tiles equal to a recount of all their hours' facts and edges:
 * the day rows, and the edges' hour rows (docs/adr/0104).
 */
async function checkDayTiles(
  store: ObjectStore,
  covered: Map<number, Counted>,
  latenessMs: number,
): Promise<string[]> {
  const byDay = new Map<number, Counted>();
  for (const [hour, counted] of covered) {
    const day = hour - (hour % dayMs);
    const sum = byDay.get(day) ?? { facts: [], edges: [] };
    byDay.set(day, { facts: [...sum.facts, ...counted.facts], edges: [...sum.edges, ...counted.edges] });
  }
  const problems: string[] = [];
  for (const [day, counted] of byDay) {
    const date = new Date(day).toISOString().slice(0, 10);
    if (day + dayMs + latenessMs > Date.now()) {
      problems.push(...(await checkOpenDayTiles(store, date, day, counted)));
      continue;
    }
    const tile = (table: DayTileTable) => buildDayTileKey('acme', date, table);
    problems.push(
      ...(await diffTable(store, tile('request_metrics_day'), 'request_metrics_day', counted.facts)),
    );
    problems.push(
      ...(await diffTable(store, tile('service_edges_day_hours'), 'service_edges_hour', counted.edges)),
    );
  }
  return problems;
}

/**
 * A day still open: its newest open-day tiles (docs/adr/0091) must equal a recount of the facts and edges of the
 * hours they cover. The final run built them from the hours as they ended, whatever the kills left before.
 */
async function checkOpenDayTiles(
  store: ObjectStore,
  date: string,
  day: number,
  counted: Counted,
): Promise<string[]> {
  const newest = async (table: 'request_metrics_open_day' | 'service_edges_open_day_hours') =>
    (await store.list(buildTableTenantPrefix(table, 'acme')))
      .map((o) => ({ key: o.key, tile: parseOpenDayTileKey(o.key)! }))
      .filter(({ tile }) => tile?.date === date)
      .sort((a, b) => b.tile.hours - a.tile.hours)[0];
  const [days, edges] = [
    await newest('request_metrics_open_day'),
    await newest('service_edges_open_day_hours'),
  ];
  if (!days) return edges ? [`${edges.key}: an edge tile without its day tile`] : [];
  if (edges?.tile.hours !== days.tile.hours)
    return [
      `${date}: open-day edge tile of ${edges?.tile.hours} hours beside a day tile of ${days.tile.hours}`,
    ];
  const before = (f: RawFact) => f.ts < day + days.tile.hours * hourMs;
  return [
    ...(await diffTable(store, days.key, 'request_metrics_day', counted.facts.filter(before))),
    ...(await diffTable(store, edges.key, 'service_edges_hour', counted.edges.filter(before))),
  ];
}

const label = (p: RawPartition) => `${p.date} ${p.hour}:00`;
