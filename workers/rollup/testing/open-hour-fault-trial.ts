import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildTablePrefix, openHourTileTables, parseOpenHourTileKey } from '../../domain/metrics-layout.js';
import { partitionStartMs } from '../../domain/raw-partition.js';
import type { RawFact } from '../../domain/raw-record.js';
import { buildSeededRandom } from '../../domain/seeded-random.js';
import type { QueryEngine } from '../../query/app/query-engine.js';
import { RollupManifests } from '../../query/adapters/rollup-manifests.js';
import { QueryService } from '../../query/app/query-service.js';
import { openHourTileGraceMs } from '../domain/open-hour-tile-plan.js';
import { openHourPhases, type RollupPhase } from '../app/test-phase-pause.js';
import { checkAnswers, coveredFacts, type LandedFile } from './open-hour-answers-check.js';
import { putRawSegment } from './raw-segments.js';
import { killAt } from './rollup-fault-trial.js';
import { spawnRollup } from './rollup-processes.js';
import { buildSeededFacts } from './seeded-raw-events.js';

export interface OpenHourTrialOptions {
  seed: number;
  /** At least this many cycles, then more until every phase of `minKills` got its kills, never more than maxCycles. */
  cycles: number;
  maxCycles: number;
  /** Kills the trial delivers per phase before it stops (count-based, as rollup-fault-trial.ts's minKills). */
  minKills: Partial<Record<RollupPhase, number>>;
  cli: string;
  /** An empty store and the env that points a `gravix rollup` process at it. */
  store: ObjectStore;
  storeEnv: Record<string, string>;
  /** A query engine over `store`, answering through `manifests`. */
  openEngine: (manifests: RollupManifests) => Promise<QueryEngine>;
  /** GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS for the killed runs. */
  pauseMs: number;
  factsPerFile: number;
}

export interface OpenHourTrialReport {
  seed: number;
  cycles: number;
  runs: number;
  /** SIGKILLs delivered, by the phase the process was in. */
  kills: Record<string, number>;
  unkilled: number;
  files: number;
  facts: number;
  /** Ranges checked, and of them those whose plan had an open-hour tile to read. */
  checks: number;
  tiledChecks: number;
  mismatches: string[];
}

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
/** The trial's hours: five past ones, so its simulated clock (now - lateness) can walk through them. */
const hourOffsets = [-5, -4, -3, -2, -1];
const childEnv = { GRAVIX_RAW_RETENTION_DAYS: '3650', GRAVIX_METRICS_RETENTION_DAYS: '3650' };
/** Phases other than the open-hour step's, now and then: a kill inside a commit into the open hour. */
const otherPhases: readonly RollupPhase[] = ['commit', 'publish'];

/**
 * kill -9 of real `gravix rollup --once --include-open` processes inside the open-hour tile step (docs/adr/0123,
 * 0132): before each tile's put, before the marker, before each superseded delete, before each delete of an hour
 * past its grace; then a run to completion (the restart) and the dashboard's calls over ranges ending in the open
 * hour and in hours with tiles, checked against the facts the manifests cover.
 *
 * The open hour moves with a simulated clock: each run gets GRAVIX_ROLLUP_LATENESS_SECONDS = now - the clock, so
 * the clock walks forward 2-9 minutes a cycle through the trial's five past hours (minutes close, an hour closes,
 * its tiles pass the grace). Files land late into the open hour's closed minutes, fresh into its open ones, and
 * into the hour before (closed, its tiles still within the grace).
 */
export async function runOpenHourTrial(options: OpenHourTrialOptions): Promise<OpenHourTrialReport> {
  const random = buildSeededRandom(options.seed);
  const currentHour = Math.floor(Date.now() / hourMs) * hourMs;
  const hours = hourOffsets.map((o) => currentHour + o * hourMs);
  const report: OpenHourTrialReport = {
    seed: options.seed,
    cycles: 0,
    runs: 0,
    kills: {},
    unkilled: 0,
    files: 0,
    facts: 0,
    checks: 0,
    tiledChecks: 0,
    mismatches: [],
  };
  const manifests = new RollupManifests(options.store, { maxAgeMs: 0 });
  const engine = await options.openEngine(manifests);
  const trial: Trial = {
    options,
    random,
    hours,
    report,
    files: [],
    manifests,
    service: new QueryService(engine, manifests),
    // Whole minutes + 15 s, so a child starting a few seconds late still sees the same closed minutes.
    clock: hours[0]! + 50 * minuteMs + 15_000,
  };
  try {
    const short = () =>
      Object.entries(options.minKills).some(([phase, min]) => (report.kills[phase] ?? 0) < min);
    for (let cycle = 0; cycle < options.maxCycles && (cycle < options.cycles || short()); cycle++) {
      report.cycles += 1;
      trial.clock = Math.min(trial.clock + (2 + Math.floor(random() * 8)) * minuteMs, currentHour - minuteMs);
      await runCycle(trial, cycle);
    }
  } finally {
    await engine.close();
  }
  report.files = trial.files.length;
  report.facts = trial.files.reduce((n, f) => n + f.facts.length, 0);
  return report;
}

interface Trial {
  options: OpenHourTrialOptions;
  random: () => number;
  hours: number[];
  report: OpenHourTrialReport;
  files: LandedFile[];
  manifests: RollupManifests;
  service: QueryService;
  /** The simulated now - lateness: each run's lateness is set so its open hour is the clock's. */
  clock: number;
}

/** The env of a run started now whose clock (now - lateness) is the trial's. */
const runEnv = (trial: Trial) => ({
  ...trial.options.storeEnv,
  ...childEnv,
  GRAVIX_ROLLUP_LATENESS_SECONDS: String(Math.ceil((Date.now() - trial.clock) / 1000)),
});

/** Files land, one run is killed in a phase (two when an hour passes its grace), a restart, the answers checked. */
async function runCycle(trial: Trial, cycle: number): Promise<void> {
  const { options, random, report } = trial;
  for (const file of landing(trial.clock, trial.hours[0]!, cycle, random, options.factsPerFile))
    trial.files.push(await land(options.store, file));
  const expiring = await hoursPastGrace(options.store, trial.clock);
  const phase: RollupPhase = expiring
    ? 'open-hour-expiry'
    : random() < 0.15
      ? otherPhases[Math.floor(random() * otherPhases.length)]!
      : leastKilled(trial);
  // An hour passing its grace is deleted in one pass: aim twice, so each of its deletes can be a kill point.
  for (let attempt = 0; attempt < (expiring ? 2 : 1); attempt++) await killedRun(trial, phase);
  const restart = await spawnRollup(options.cli, runEnv(trial), ['--once', '--include-open']).exited;
  report.runs += 1;
  if (restart.code !== 0)
    report.mismatches.push(`cycle ${cycle}: restart exited ${restart.code}: ${restart.output.slice(-1500)}`);
  const covered = await coveredFacts(options.store, trial.files, trial.hours);
  report.mismatches.push(...covered.problems.map((p) => `cycle ${cycle}: ${p}`));
  const tiled = (await trial.manifests.tiles('acme')).openHours;
  for (const range of rangesToCheck(trial.clock, trial.hours)) {
    report.checks += 1;
    if ([...tiled].some(([h, m]) => h >= range.from && h + m * minuteMs <= range.to)) report.tiledChecks += 1;
    const problems = await checkAnswers(trial.service, range, covered.facts);
    report.mismatches.push(...problems.slice(0, 5).map((p) => `cycle ${cycle} (${phase}): ${p}`));
  }
}

/**
 * The open-hour phase (expiry apart: it is aimed at when due) furthest below its minimum, so the count-based stop
 * comes soon; ties in the list's order.
 */
function leastKilled({ options, report }: Trial): RollupPhase {
  const shortfall = (phase: RollupPhase) => (options.minKills[phase] ?? 0) - (report.kills[phase] ?? 0);
  const steady = openHourPhases.filter((phase) => phase !== 'open-hour-expiry');
  return steady.reduce((best, phase) => (shortfall(phase) > shortfall(best) ? phase : best));
}

/** One `gravix rollup --once --include-open` SIGKILLed in `phase`; now and then a second one overlaps it. */
async function killedRun(trial: Trial, phase: RollupPhase): Promise<void> {
  const { options, random, report } = trial;
  const env = runEnv(trial);
  const pauseEnv = { ...env, GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS: String(options.pauseMs) };
  const run = spawnRollup(options.cli, pauseEnv, ['--once', '--include-open']);
  // A manual run beside the loop.
  const twin = random() < 0.1 ? spawnRollup(options.cli, env, ['--once', '--include-open']) : undefined;
  report.runs += twin ? 2 : 1;
  if (await killAt(run, phase, options.pauseMs, random)) report.kills[phase] = (report.kills[phase] ?? 0) + 1;
  else report.unkilled += 1;
  await twin?.exited;
}

/**
 * Ranges ending in the open hour (at the simulated now) and ending late in each hour before it (whose tiles, while
 * listed, cover up to 59 minutes of it), each from three hours earlier at an hour boundary, at hourly steps.
 */
function rangesToCheck(clock: number, hours: readonly number[]): { from: number; to: number }[] {
  const open = clock - (clock % hourMs);
  // The API's finest rows are minutes: a range ends on a minute (a ragged end would count its whole minute).
  const ends = [
    clock - (clock % minuteMs),
    ...hours.filter((h) => h < open && h >= open - 2 * hourMs).map((h) => h + 59 * minuteMs),
  ];
  return ends.map((to) => ({ from: to - (to % hourMs) - 3 * hourMs, to }));
}

/** Whether an hour with tiles listed has passed its grace at the simulated clock (this pass deletes them). */
async function hoursPastGrace(store: ObjectStore, clock: number): Promise<boolean> {
  const tiles = (await Promise.all(openHourTileTables.map((t) => store.list(buildTablePrefix(t))))).flat();
  return tiles.some(({ key }) => {
    const tile = parseOpenHourTileKey(key);
    return tile !== undefined && clock - (partitionStartMs(tile.partition) + hourMs) >= openHourTileGraceMs;
  });
}

interface Landing {
  id: string;
  fromMs: number;
  spanMs: number;
  seed: number;
  count: number;
}

/** This cycle's files: late (a closed minute of the open hour), fresh (its open minutes), or into the hour before. */
function landing(
  clock: number,
  first: number,
  cycle: number,
  random: () => number,
  count: number,
): Landing[] {
  const open = clock - (clock % hourMs);
  const closedEnd = clock - (clock % minuteMs);
  const kinds = cycle === 0 ? ['late', 'fresh'] : random() < 0.75 ? [pick(random), pick(random)] : [];
  return kinds.map((kind, i) => {
    const seed = Math.floor(random() * 2 ** 31);
    const id = `c${cycle}-${i}`;
    if (kind === 'fresh' || closedEnd === open)
      return {
        id,
        fromMs: closedEnd,
        spanMs: Math.min(5 * minuteMs, open + hourMs - closedEnd),
        seed,
        count,
      };
    if (kind === 'late' || open === first)
      return { id, fromMs: open, spanMs: closedEnd - open, seed, count: Math.ceil(count / 4) };
    return { id, fromMs: open - hourMs, spanMs: hourMs, seed, count: Math.ceil(count / 8) };
  });
}

const pick = (random: () => number) => {
  const r = random();
  return r < 0.45 ? 'late' : r < 0.8 ? 'fresh' : 'before';
};

async function land(store: ObjectStore, file: Landing): Promise<LandedFile> {
  const facts: RawFact[] = buildSeededFacts({
    seed: file.seed,
    count: file.count,
    fromMs: file.fromMs,
    spanMs: file.spanMs,
    idPrefix: `${file.id}-`,
  });
  const key = await putRawSegment(store, facts, { ingester: `ing-${file.id}`, seq: 0 });
  const info = (await store.head(key))!;
  const hour = file.fromMs - (file.fromMs % hourMs);
  return { key, etag: info.etag, size: info.size, hour, facts };
}
