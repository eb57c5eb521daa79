/**
 * bench/ingest abusive tenant (issue #17): one tenant sends as fast as it can on many connections (so the
 * per-tenant turns engage), every fact a new service (300k+ distinct services by default), while a normal tenant
 * sends single facts with wrk. Printed side by side with the same normal traffic alone (the floor), all in one run:
 * the normal tenant's ingest p50/p99 and req/s; the ingest server's peak RSS against the ingest pod's default
 * memory limit; `gravix rollup --once --include-open`'s time and peak RSS against the rollup pod's; and for the
 * abuser, the query server's /services and /endpoints answers (time, bytes, rows, truncated) and its peak RSS
 * against the query pod's. The abuser's runs alternate (A B A B, `--rounds`) between read bodies parsed as they
 * arrive (GRAVIX_TENANT_TURN_BYTES=0, the code before ADR 0100) and parsed in turns between tenants (the default),
 * since the machine's load drifts during a run. Each run prints the evidence of where the time goes: the event
 * loop's delay histogram, the server's CPU seconds, the WAL's group commits, and per tenant the time in each stage
 * (turn, read, parse, validate, WAL append; workers/ingest/http/stage-timings.ts). Each run has its own fresh
 * ingest server (the built CLI code, forked) and data directory.
 * `--abuser-pace F` holds the abuser at F times its item rate (`--rate`; 1 = exactly at its budget, 2 = twice it;
 * default 0 = as fast as it can); `--baseline <dist/bench/ingest/abusive-tenant-bench.js of another build>` serves
 * the abuser's runs alternately from that build and this one (both with turns), for before/after A/B in one run;
 * `--no-probes` skips the rollup and query probes (quicker A/B rounds).
 * Usage: npm run bench:abusive-tenant [-- --seconds 10 --services 300000 --rate 50000 --abuser-connections 32 --rounds 2]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { hashApiKey } from '../../workers/domain/api-keys.js';
import { loadIngestConfig } from '../../workers/ingest/config.js';
import { startIngestServer } from '../../workers/ingest/ingest-server.js';
import { StageTimings, type StageReport } from '../../workers/ingest/http/stage-timings.js';
import {
  podMemoryLimitsMiB,
  probeQueryAnswers,
  rollupPass,
  rssMiB,
  walGroupCommits,
} from './tenant-probes.js';
import { runWrk } from './wrk-load.js';
import { fact, postAbuserBatch } from './abusive-tenant-traffic.js';

const arg = (name: string, fallback: number) =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback;
const seconds = arg('--seconds', 10);
const abusiveServices = arg('--services', 300_000);
const connections = 16;
const abuserConnections = arg('--abuser-connections', 32);
const abuserBatch = 1000;
// Items per second per tenant (GRAVIX_RATE_PER_SECOND; burst twice that); the product's default unless given.
const rate = arg('--rate', 50_000);
// Rounds of the A/B pair (bodies parsed on arrival, then in turns), each on fresh servers.
const rounds = arg('--rounds', 2);
// The abuser's pace as a multiple of its item rate; 0: as fast as it can.
const abuserPace = arg('--abuser-pace', 0);
const baseline = process.argv.includes('--baseline')
  ? process.argv[process.argv.indexOf('--baseline') + 1]
  : undefined;
const probes = !process.argv.includes('--no-probes');

const tenants = [
  { name: 'normal', tenant: 'normal', sha256: hashApiKey('normal'), scopes: ['ingest', 'query'] },
  { name: 'abuser', tenant: 'abuser', sha256: hashApiKey('abuser'), scopes: ['ingest', 'query'] },
];

/**
 * serve mode: the ingest server with the product's default limits, reporting its port to the parent, and the
 * evidence of where a neighbour's time goes: the event loop's delay (parsing is synchronous) over the run, and the
 * WAL's group commits (count, seconds, bytes) from its /metrics.
 */
async function serve(
  dir: string,
  maxActiveBatches: string,
  groupBytes: string,
  turnBytes: string,
): Promise<void> {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const config = loadIngestConfig({
    GRAVIX_DATA_DIR: dir,
    GRAVIX_API_KEYS_FILE: join(dir, 'keys.json'),
    GRAVIX_TENANT_MAX_ACTIVE_BATCHES: maxActiveBatches,
    GRAVIX_WAL_TENANT_GROUP_BYTES: groupBytes,
    GRAVIX_TENANT_TURN_BYTES: turnBytes,
    GRAVIX_INGEST_PORT: '0',
    GRAVIX_INGEST_METRICS_PORT: '0',
    GRAVIX_INGEST_HOST: '127.0.0.1',
    GRAVIX_WAL_SEGMENT_AGE_MS: '1000',
    GRAVIX_SHUTDOWN_DEADLINE_MS: '300000',
    GRAVIX_RATE_PER_SECOND: String(rate),
    GRAVIX_RATE_BURST: String(2 * rate),
  });
  const stageTimings = new StageTimings();
  const server = await startIngestServer(
    config,
    new LocalObjectStore(join(dir, 'store')),
    pino({ level: 'warn' }),
    { stageTimings },
  );
  const cpuAtStart = process.cpuUsage();
  process.send?.({ port: server.port });
  // Asked once for the evidence, then stopped: seal the WAL and upload every segment, so the rollup reads all.
  process.once('message', () => {
    loopDelay.disable();
    const cpu = process.cpuUsage(cpuAtStart);
    const serverCpuSeconds = Number(((cpu.user + cpu.system) / 1e6).toFixed(2));
    const ms = (ns: number) => Number((ns / 1e6).toFixed(1));
    void walGroupCommits(server.metricsPort).then((wal) => {
      const eventLoopDelayMs = {
        p50: ms(loopDelay.percentile(50)),
        p99: ms(loopDelay.percentile(99)),
        max: ms(loopDelay.max),
      };
      process.send?.({
        eventLoopDelayMs,
        wal,
        serverCpuSeconds,
        stages: stageTimings.report(),
        serverLatency: stageTimings.latencyReport(),
      });
      process.once('message', () => {
        void server.stop().then((stopped) => process.send?.(stopped, () => process.exit(0)));
      });
    });
  });
}

/**
 * abuse mode: `abuserConnections` loops posting 1000-fact batches, every fact a new service, until the parent says
 * stop and at least `abusiveServices` were accepted; 429s are retried at once (an abuser does not back off).
 */
async function abuse(port: number): Promise<void> {
  let next = 0;
  let accepted = 0;
  let refused = 0;
  let lost = 0;
  let stopped = false;
  process.once('message', () => (stopped = true));
  // Paced: batch k of all connections is sent at start + k batches' worth of the paced rate (a schedule, not a wait
  // for a condition: the abuser's clock is the load itself).
  const started = Date.now();
  let scheduled = 0;
  const paced = async () => {
    if (abuserPace <= 0) return;
    const due = started + (scheduled++ * abuserBatch * 1000) / (abuserPace * rate);
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  };
  const loop = async (connection: number) => {
    for (let batch = 0; !stopped || (abuserPace <= 0 && accepted < abusiveServices); batch++) {
      await paced();
      if (stopped && abuserPace > 0) break;
      const first = next;
      next += abuserBatch;
      const body = JSON.stringify(
        Array.from({ length: abuserBatch }, (_, i) =>
          fact(`a${connection}-${batch}-${i}`, `svc-${first + i}`, i),
        ),
      );
      const status = await postAbuserBatch(port, body);
      if (status === 200) accepted += abuserBatch;
      else refused++;
      // The connection ended without an answer (a refusal before the body was read closes it, docs/adr/0119).
      if (status === 0) lost++;
    }
  };
  await Promise.all(Array.from({ length: abuserConnections }, (_, c) => loop(c)));
  // The IPC channel would keep this process alive after its last request.
  process.send?.({ accepted, refused, lost, namesSent: next }, () => process.exit(0));
}

function forkMode(args: string[]): ChildProcess {
  return fork(fileURLToPath(import.meta.url), args);
}

const message = <T>(child: ChildProcess) =>
  new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));

interface Scenario {
  name: string;
  abuser: boolean;
  /** GRAVIX_TENANT_MAX_ACTIVE_BATCHES of the run's ingest server. */
  maxActiveBatches: number;
  /** GRAVIX_WAL_TENANT_GROUP_BYTES of the run's ingest server (0: the WAL's group commits are not fair). */
  groupBytes: number;
  /** GRAVIX_TENANT_TURN_BYTES of the run's ingest server (0: bodies are parsed as they arrive, not in turns). */
  turnBytes: number;
  /** Another build's bench file to serve from (--baseline); this build's when absent. */
  serverFile?: string;
}

/** The rollup over a run's data and, after an abuser, the query server's answers for it (`--no-probes`: none). */
async function probeData(dir: string, keysFile: string, withAbuser: boolean) {
  if (!probes) return { rollup: { seconds: NaN, peakRssMiB: NaN }, query: undefined };
  const rollup = await rollupPass(dir);
  const query = withAbuser
    ? await probeQueryAnswers(dir, keysFile, 'abuser', [
        '/api/v1/services',
        '/api/v1/services?limit=1000',
        '/api/v1/endpoints',
        '/api/v1/endpoints?limit=1000',
      ])
    : undefined;
  return { rollup, query };
}

async function scenario({
  name,
  abuser: withAbuser,
  maxActiveBatches,
  groupBytes,
  turnBytes,
  serverFile,
}: Scenario) {
  const dir = mkdtempSync(join(tmpdir(), 'gx-abuse-bench-'));
  const keysFile = join(dir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify({ keys: tenants }));
  const server = fork(serverFile ?? fileURLToPath(import.meta.url), [
    'serve',
    dir,
    String(maxActiveBatches),
    String(groupBytes),
    String(turnBytes),
    '--rate',
    String(rate),
  ]);
  const { port } = await message<{ port: number }>(server);
  const abuser = withAbuser ? forkMode(['abuse', String(port), ...process.argv.slice(2)]) : undefined;
  const abuseDone = abuser
    ? message<{ accepted: number; refused: number; lost: number; namesSent: number }>(abuser)
    : undefined;
  const body = JSON.stringify(fact('n-1', 'checkout', 1));
  const url = `http://127.0.0.1:${port}/api/v1/facts`;
  const normal = await runWrk({ url, body, connections, seconds, key: 'normal' });
  abuser?.send('stop');
  const abused = abuseDone ? await abuseDone : undefined;
  const cardinality = withAbuser
    ? await (
        await fetch(`http://127.0.0.1:${port}/api/v1/cardinality`, {
          headers: { authorization: 'Bearer abuser' },
        })
      ).json()
    : undefined;
  const memory = rssMiB(server.pid!);
  const evidenceSent = message<{
    eventLoopDelayMs: unknown;
    wal: unknown;
    serverCpuSeconds: number;
    stages: StageReport;
    serverLatency: ReturnType<StageTimings['latencyReport']>;
  }>(server);
  server.send('evidence');
  const evidence = await evidenceSent;
  const stopped = message<{ drained: boolean }>(server);
  server.send('stop');
  const { drained } = await stopped;
  if (!drained) throw new Error(`${name}: the ingest server stopped with segments not uploaded`);
  const { rollup, query } = await probeData(dir, keysFile, withAbuser);
  return {
    name,
    maxActiveBatches,
    groupBytes,
    turnBytes,
    evidence,
    normalTenant: {
      requestsPerSecond: Math.round(normal.requests / normal.seconds),
      p50Ms: Number(normal.p50Ms.toFixed(2)),
      p99Ms: Number(normal.p99Ms.toFixed(2)),
      non2xx: normal.non2xx,
    },
    abuser: abused && {
      connections: abuserConnections,
      distinctServicesSent: abused.namesSent,
      factsAccepted: abused.accepted,
      refusedRequests: abused.refused,
      requestsWithoutAnswer: abused.lost,
      cardinalityReport: cardinality,
    },
    ingestRssMiB: memory,
    rollup,
    query,
  };
}

/** The run's scenarios in order: the floor, then the abuser's runs interleaved (A B A B). */
async function runScenarios() {
  const fair = 512 * 1024;
  const turns = 64 * 1024;
  const runs = [];
  runs.push(
    await scenario({
      name: 'normal alone',
      abuser: false,
      maxActiveBatches: 4,
      groupBytes: fair,
      turnBytes: turns,
    }),
  );
  if (baseline) {
    // Before/after: the baseline build's server and this one's, both with turns, interleaved (A B A B).
    for (let round = 1; round <= rounds; round++) {
      for (const [build, serverFile] of [
        ['baseline', baseline],
        ['this build', undefined],
      ] as const) {
        runs.push(
          await scenario({
            name: `with the abuser, ${build} (${round})`,
            abuser: true,
            maxActiveBatches: 4,
            groupBytes: fair,
            turnBytes: turns,
            serverFile,
          }),
        );
      }
    }
    // The floor again at the end: the load drifts during a run.
    runs.push(
      await scenario({
        name: 'normal alone (end)',
        abuser: false,
        maxActiveBatches: 4,
        groupBytes: fair,
        turnBytes: turns,
      }),
    );
  }
  // Parsing in turns (the default) against parsing each body as it arrives, interleaved (A B A B): the machine's
  // load drifts during a run, and alternating keeps the drift from favouring either.
  for (let round = 1; round <= (baseline ? 0 : rounds); round++) {
    for (const turnBytes of [0, turns]) {
      const how = turnBytes > 0 ? 'parsed in turns' : 'parsed on arrival';
      runs.push(
        await scenario({
          name: `with the abuser, ${how} (${round})`,
          abuser: true,
          maxActiveBatches: 4,
          groupBytes: fair,
          turnBytes,
        }),
      );
    }
  }
  return runs;
}

async function main(): Promise<void> {
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const loadBefore = load();
  const limits = podMemoryLimitsMiB();
  const runs = await runScenarios();
  const result = {
    bench: 'abusive-tenant',
    seconds,
    connections,
    abusiveServices,
    ratePerTenant: rate,
    abuserPace:
      abuserPace > 0 ? `${abuserPace} x its rate (${abuserPace * rate} facts/s)` : 'as fast as it can',
    baseline,
    load: { before: loadBefore, after: load() },
    floor: 'the same normal traffic without the abuser, on its own fresh server, in the same run',
    podMemoryLimitsMiB: limits,
    runs,
    sideBySide: Object.fromEntries(
      runs.map((r) => [
        r.name,
        {
          normalP99Ms: r.normalTenant.p99Ms,
          normalP50Ms: r.normalTenant.p50Ms,
          normalRequestsPerSecond: r.normalTenant.requestsPerSecond,
          eventLoopDelayMs: r.evidence.eventLoopDelayMs,
          serverCpuSeconds: r.evidence.serverCpuSeconds,
          // Each request's time inside the server (its endpoint's start to its answer), per tenant.
          serverLatencyMs: r.evidence.serverLatency,
          stages: r.evidence.stages,
          walGroupCommits: r.evidence.wal,
          abuserFactsAccepted: r.abuser?.factsAccepted,
          abuserRefusedRequests: r.abuser?.refusedRequests,
          rollupSeconds: r.rollup.seconds,
          ingestPeakRssMiB: `${r.ingestRssMiB.peak} of ${limits.ingest}`,
          rollupPeakRssMiB: `${r.rollup.peakRssMiB} of ${limits.rollup}`,
          // gravix query on DuckDB, the embedded engine; the pipeline's query pod runs Trino (limit printed above).
          queryOnDuckDbPeakRssMiB: r.query?.queryPeakRssMiB,
          abuserAnswers: r.query?.answers.map(
            (a) => `${a.call}: ${a.status} ${a.ms} ms ${a.bytes} B ${a.rows} rows truncated=${a.truncated}`,
          ),
        },
      ]),
    ),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

if (process.argv[2] === 'serve')
  void serve(process.argv[3]!, process.argv[4]!, process.argv[5]!, process.argv[6]!);
else if (process.argv[2] === 'abuse') void abuse(Number(process.argv[3]));
else void main();
