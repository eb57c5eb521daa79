import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { hashApiKey } from '../../domain/api-keys.js';
import { buildSeededRandom } from '../../domain/seeded-random.js';
import { spawnRollup } from '../../rollup/testing/rollup-processes.js';
import { FactLoad } from './fact-load.js';
import { buildFaultStoreEnv, ObjectHistory, openFaultStore, type FaultStore } from './fault-store.js';
import { IngesterProcess, type IngesterExit } from './ingester-process.js';
import { auditStore, readRollupCounts, type LayerAudit } from './store-audit.js';

/** The states a signal lands in; `store-down` needs MinIO (the harness pauses it). */
export const faultStates = [
  'idle-empty',
  'idle-pending',
  'mid-write',
  'mid-seal',
  'mid-upload',
  'before-delete',
  'recovery',
  'store-down',
] as const;
export type FaultState = (typeof faultStates)[number];

export type { FaultStore } from './fault-store.js';

export interface FaultTrialsOptions {
  seed: number;
  store: FaultStore;
  /** The built gravix CLI (dist/cli/gravix.js). */
  cli: string;
  /** Process lifetimes ended by a signal, per state (a recovery cycle may add a setup cycle before it). */
  cyclesPerState: number;
  port: number;
  logDir: string;
  onCycle?: (cycle: CycleReport) => void;
}

export interface CycleReport {
  cycle: number;
  state: FaultState;
  signal: NodeJS.Signals;
  exit: IngesterExit & { forced: boolean };
  ms: number;
}

export interface FaultTrialsReport {
  seed: number;
  store: FaultStore['kind'];
  trials: number;
  kills: Record<string, { SIGKILL: number; SIGTERM: number }>;
  requests: number;
  acknowledged: number;
  lost: number;
  duplicated: number;
  raw: LayerAudit;
  deadLetter: LayerAudit;
  rollup: { exitCode: number | null; distinctFacts: number; counted: number };
  /** Acknowledged facts missing from the store, by the state of the cycle that acknowledged them. */
  lostByState: Record<string, number>;
  /**
   * Raw and dead-letter objects whose etag changed (replaced) or that disappeared between two cycles, by the
   * state the previous ingester was killed in (the restart that followed it did the replacing). Must stay 0.
   */
  replacedObjects: Record<string, number>;
  deletedObjects: Record<string, number>;
  /** Processes that exited before they were signalled (a crash), and SIGTERMs that needed a SIGKILL. */
  unexpectedExits: CycleReport[];
  errorLogs: string[];
  seconds: number;
}

const apiKey = 'fault-trials-key';
const pauseMarker = (point: string) => (line: string) => line.includes(`"testPause":"${point}"`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One seeded run: many ingester lifetimes, each ended by SIGKILL or SIGTERM in a chosen state, then an audit. */
export class IngestFaultTrials {
  /** The current cycle's stream: each cycle draws from its own, seeded from the schedule, so what one cycle
   * happens to do (a setup cycle, a retry) never shifts the choices of the next. */
  private random: () => number;
  private readonly schedule: { state: FaultState; seed: number }[];
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'gx-faults-'));
  private readonly walDir = join(this.dataDir, 'wal');
  private readonly url: string;
  private readonly load: FactLoad;
  private readonly kills: FaultTrialsReport['kills'] = {};
  private readonly cycles: CycleReport[] = [];
  private readonly errorLogs: string[] = [];
  private readonly unexpected: CycleReport[] = [];
  private history: ObjectHistory | undefined;
  private cycle = 0;

  constructor(private readonly options: FaultTrialsOptions) {
    const scheduleRandom = buildSeededRandom(options.seed);
    this.random = scheduleRandom;
    this.schedule = this.buildSchedule(scheduleRandom);
    this.url = `http://127.0.0.1:${options.port}`;
    const loadRandom = buildSeededRandom(options.seed ^ 0x5bd1e995);
    this.load = new FactLoad(this.url, apiKey, loadRandom, `s${options.seed}`);
  }

  private rand(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  private storeEnv(): Record<string, string> {
    return buildFaultStoreEnv(this.options.store, this.dataDir);
  }

  private spawn(label: string, hooks: Record<string, number> = {}): IngesterProcess {
    const env: Record<string, string> = {
      ...this.storeEnv(),
      GRAVIX_API_KEYS_FILE: join(this.dataDir, 'keys.json'),
      GRAVIX_INGESTER_ID: 'ingest-0',
      GRAVIX_INGEST_HOST: '127.0.0.1',
      GRAVIX_INGEST_PORT: String(this.options.port),
      GRAVIX_INGEST_METRICS_PORT: '0',
      GRAVIX_WAL_SEGMENT_BYTES: String(64 * 1024),
      GRAVIX_WAL_SEGMENT_AGE_MS: '200',
      GRAVIX_SHUTDOWN_DEADLINE_MS: '1500',
      GRAVIX_LOG_LEVEL: 'info',
    };
    for (const [key, ms] of Object.entries(hooks)) env[`GRAVIX_TEST_${key}_DELAY_MS`] = String(ms);
    const log = join(this.options.logDir, `${this.options.store.kind}-${this.cycle}-${label}.log`);
    return new IngesterProcess(this.options.cli, env, log);
  }

  private async startReady(label: string, hooks?: Record<string, number>): Promise<IngesterProcess> {
    const proc = this.spawn(label, hooks);
    await proc.waitReady(this.url);
    return proc;
  }

  private walSegments(): string[] {
    try {
      return readdirSync(this.walDir).filter((name) => name.startsWith('seg-'));
    } catch {
      return [];
    }
  }

  private async until(proc: IngesterProcess, what: string, ok: () => boolean, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while (!ok()) {
      if (!proc.running) throw new Error(`ingester exited while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(20);
    }
  }

  /** Ends the process with a real signal and records the kill. */
  private async end(proc: IngesterProcess, state: FaultState, signal: NodeJS.Signals, started: number) {
    const crashed = !proc.running;
    const exit = await proc.kill(signal);
    const report: CycleReport = { cycle: this.cycle, state, signal, exit, ms: Date.now() - started };
    this.cycles.push(report);
    this.kills[state] ??= { SIGKILL: 0, SIGTERM: 0 };
    this.kills[state][signal as 'SIGKILL' | 'SIGTERM'] += 1;
    this.errorLogs.push(...proc.errorLines());
    if (crashed || exit.forced) this.unexpected.push(report);
    this.options.onCycle?.(report);
    this.cycle += 1;
  }

  private async run(state: FaultState, seed: number): Promise<void> {
    this.random = buildSeededRandom(seed);
    this.load.tag = `k${this.cycle}-`;
    const signal: NodeJS.Signals = this.random() < 0.7 ? 'SIGKILL' : 'SIGTERM';
    const started = Date.now();
    const proc = await this.enter(state);
    await this.end(proc, state, signal, started);
    await this.load.stop();
    await this.leave(state);
    await this.history!.record(state);
  }

  /** Drives a fresh ingester into `state` and returns it, still in that state (load may still be running). */
  private async enter(state: FaultState): Promise<IngesterProcess> {
    switch (state) {
      case 'idle-empty': {
        const proc = await this.startReady(state);
        await this.load.burst(2, this.rand(100, 400));
        await this.until(proc, 'an empty WAL', () => this.walSegments().length === 0, 30_000);
        await sleep(this.rand(0, 300));
        return proc;
      }
      case 'idle-pending': {
        const proc = await this.startReady(state, { UPLOAD: 60_000 });
        await this.load.burst(2, this.rand(100, 400));
        const sealedOnly = () => {
          const names = this.walSegments();
          return names.some((n) => n.endsWith('.sealed')) && !names.some((n) => n.endsWith('.open'));
        };
        await this.until(proc, 'sealed segments and no open one', sealedOnly, 10_000);
        await sleep(this.rand(0, 300));
        return proc;
      }
      case 'mid-write': {
        const proc = await this.startReady(state);
        this.load.start(4);
        await sleep(this.rand(50, 800));
        return proc;
      }
      case 'mid-seal':
        return this.atPause(state, 'seal', { SEAL: 300 }, 1, 3);
      case 'mid-upload':
        return this.atPause(state, 'upload', { UPLOAD: 150 }, this.rand(1, 3), 2, 30);
      case 'before-delete':
        return this.atPause(state, 'delete', { DELETE: 300 }, 1, this.rand(0, 2));
      case 'recovery':
        return this.enterRecovery();
      case 'store-down':
        return this.enterStoreDown();
    }
  }

  /** Waits for the nth pause marker at `point` under load, then a random moment inside the pause (+ after it). */
  private async atPause(
    state: FaultState,
    point: string,
    hooks: Record<string, number>,
    nth: number,
    clients: number,
    pastMs = 0,
  ): Promise<IngesterProcess> {
    const proc = await this.startReady(state, hooks);
    if (clients > 0) this.load.start(clients);
    else await this.load.burst(2, this.rand(100, 300));
    let from = 0;
    for (let i = 0; i < nth; i++) {
      const line = await proc.waitForLine(pauseMarker(point), { from, timeoutMs: 20_000 });
      from = proc.lines.indexOf(line, from) + 1;
    }
    await sleep(this.rand(0, (Object.values(hooks)[0] ?? 0) + pastMs));
    return proc;
  }

  /** Needs sealed segments left over: makes some first (a setup cycle, itself killed while idle-pending). */
  private async enterRecovery(): Promise<IngesterProcess> {
    const setupSeed = Math.floor(this.random() * 2 ** 31);
    const random = this.random;
    if (!this.walSegments().some((n) => n.endsWith('.sealed'))) await this.run('idle-pending', setupSeed);
    this.random = random;
    const proc = this.spawn('recovery', this.random() < 0.5 ? {} : { UPLOAD: 100 });
    if (this.random() < 0.5) {
      await sleep(this.rand(50, 700));
    } else {
      const recovered = (line: string) => line.includes('recovered sealed segments for upload');
      await proc.waitForLine(recovered, { timeoutMs: 20_000 });
      await sleep(this.rand(0, 150));
    }
    return proc;
  }

  private async enterStoreDown(): Promise<IngesterProcess> {
    const { store } = this.options;
    if (store.kind !== 'minio') throw new Error('store-down needs MinIO');
    if (this.random() < 0.5) {
      await store.minio.pause();
      const proc = await this.startReady('store-down');
      await this.load.burst(2, this.rand(200, 600));
      await sleep(this.rand(0, 500));
      return proc;
    }
    const proc = await this.startReady('store-down');
    this.load.start(2);
    await sleep(this.rand(100, 300));
    await store.minio.pause();
    await sleep(this.rand(100, 500));
    return proc;
  }

  private async leave(state: FaultState): Promise<void> {
    if (state === 'store-down' && this.options.store.kind === 'minio') await this.options.store.minio.start();
  }

  /** Every state cyclesPerState times, shuffled, each with its own seed. */
  private buildSchedule(random: () => number): { state: FaultState; seed: number }[] {
    const states = faultStates.filter((s) => s !== 'store-down' || this.options.store.kind === 'minio');
    const order = states.flatMap((s) => Array<FaultState>(this.options.cyclesPerState).fill(s));
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order.map((state) => ({ state, seed: Math.floor(random() * 2 ** 31) }));
  }

  /** Every cycle, then one clean run that uploads what is left, then the audit and a rollup. */
  async runAll(): Promise<FaultTrialsReport> {
    const started = Date.now();
    writeFileSync(
      join(this.dataDir, 'keys.json'),
      JSON.stringify({ keys: [{ name: 'faults', tenant: 'acme', sha256: hashApiKey(apiKey) }] }),
    );
    const store = openFaultStore(this.options.store, this.dataDir);
    this.history = new ObjectHistory(store);
    try {
      for (const { state, seed } of this.schedule) await this.run(state, seed);
      const final = await this.startReady('final');
      await this.until(final, 'every segment uploaded', () => this.walSegments().length === 0, 60_000);
      const exit = await final.kill('SIGTERM');
      this.errorLogs.push(...final.errorLines());
      if (exit.code !== 0)
        throw new Error(`the final ingester did not stop cleanly: ${JSON.stringify(exit)}`);
      await this.history.record('final');
      return await this.audit(store, this.history, started);
    } finally {
      store.destroy?.();
    }
  }

  private lostByState(lost: readonly string[]): Record<string, number> {
    const stateOf = new Map(this.cycles.map((c) => [c.cycle, c.state]));
    const counts: Record<string, number> = {};
    for (const id of lost) {
      const state = stateOf.get(Number(/-k(\d+)-/.exec(id)?.[1])) ?? 'unknown';
      counts[state] = (counts[state] ?? 0) + 1;
    }
    return counts;
  }

  private async audit(
    store: ObjectStore,
    history: ObjectHistory,
    started: number,
  ): Promise<FaultTrialsReport> {
    const audit = await auditStore(store, this.load.acked, this.load.ackedRejected);
    const rollup = spawnRollup(this.options.cli, { ...this.storeEnv(), GRAVIX_LOG_LEVEL: 'warn' }, [
      '--once',
      '--include-open',
    ]);
    const { code } = await rollup.exited;
    const partitions = audit.partitions.map((p) => p.partition);
    return {
      seed: this.options.seed,
      store: this.options.store.kind,
      trials: this.cycles.length,
      kills: this.kills,
      requests: this.load.requests,
      acknowledged: this.load.acked.size,
      lost: audit.raw.lost,
      duplicated: audit.raw.duplicated,
      raw: audit.raw,
      deadLetter: audit.deadLetter,
      rollup: {
        exitCode: code,
        distinctFacts: audit.partitions.reduce((sum, p) => sum + p.facts, 0),
        counted: await readRollupCounts(store, partitions),
      },
      lostByState: this.lostByState(audit.lostIds),
      replacedObjects: history.replaced,
      deletedObjects: history.deleted,
      unexpectedExits: this.unexpected,
      errorLogs: this.errorLogs.slice(0, 20),
      seconds: (Date.now() - started) / 1000,
    };
  }

  /** Removes the run's data directory (kept when a test fails, for a post-mortem). */
  cleanUp(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  get dataDirectory(): string {
    return this.dataDir;
  }
}
