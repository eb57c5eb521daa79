/**
 * bench/ingest/otlp: spans per second from an OTLP/HTTP protobuf request to the write-ahead log (fsynced, the
 * 200 sent), for 1000-span requests, next to the floor of protobuf decoding alone (protobufjs decoding the same
 * request in a loop, nothing else) and the mapping without HTTP (the one pass over the bytes + the rules + WAL
 * frame encoding, docs/adr/0118); then the
 * OpenTelemetry Collector's throughput forwarding the same requests to Gravix. The target (issue #21) is >= 0.3x
 * the decode floor. Floor and pipeline alternate in rounds, so a change of machine load hits both; the ratio is
 * the median of the rounds' ratios. The client runs in the same process (it costs the server CPU), so the
 * end-to-end figure is conservative. A run in which any request was not answered 200 is invalid: the bench
 * prints the refusals and exits 1.
 * With CLIENT spans (issue #21.5): the same rounds for requests of 500 CLIENT and 500 SERVER spans (half the CLIENT
 * spans naming their callee) beside their own decode floor, and the rollup's CPU for one hour with and without the
 * edge lines those CLIENT spans become (interleaved A/B, per million spans; otlp-edge-rollup-cost.ts).
 * Each workload's request also goes through the steps between body and WAL one at a time, with the process CPU
 * per span of each (otlp-stage-cpu.ts: the one pass and its mapping; the reference path's nesting check, decode,
 * span count and mapping; WAL frame encoding).
 * Server process (docs/adr/0111): the listener forked into its own process, its CPU per span end to end beside the
 * decode floor's CPU per span, in alternating rounds (otlp-server-profile.ts), with its event-loop utilisation and
 * GC time: the ratio of CPU figures does not depend on the share of the cores the load leaves each process. For
 * both workloads (`serverProcess`, `withClientSpans.serverProcess`, docs/adr/0135).
 * Usage: npm run bench:otlp [-- --seconds 5 --concurrency 4 --rounds 3 --collector-seconds 10 --edge-spans 200000]
 */
import { execFileSync } from 'node:child_process';
import { encodeWalFrame } from '../../workers/ingest/wal/write-ahead-log.js';
import { mapSpanReadings } from '../../workers/ingest/otlp/map-trace-request.js';
import { scanTraceRequest } from '../../workers/ingest/otlp/scan-trace-request.js';
import { protoSchemas } from '../../workers/ingest/otlp/proto-schemas.js';
import { RouteBudget } from '../../workers/ingest/domain/route-budget.js';
import { collectorForwarding } from './otlp-collector-forwarding.js';
import { edgeRollupCost } from './otlp-edge-rollup-cost.js';
import { otlpStageCpu } from './otlp-stage-cpu.js';
import { serverProcessRounds, type ServerProcessRound } from './otlp-server-profile.js';
import { benchKey, startBenchServer } from './otlp-bench-server.js';
import { buildTraceRequest, sendFor, serverSpanShare, spansPerRequest } from './otlp-bench-workload.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]) || fallback;
};
const seconds = arg('seconds', 5);
const concurrency = arg('concurrency', 4);
const rounds = arg('rounds', 3);
const collectorSeconds = arg('collector-seconds', 10);
const edgeSpans = arg('edge-spans', 200_000);
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function spansPerSecondOf(work: () => void): number {
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  let n = 0;
  while (performance.now() < end) {
    work();
    n += 1;
  }
  return (n * spansPerRequest) / ((performance.now() - started) / 1000);
}

async function endToEnd(
  bodies: Buffer[],
): Promise<{ spansPerSecond: number; refused: Record<string, number> }> {
  const server = await startBenchServer();
  try {
    const sent = await sendFor(`${server.baseUrl}/v1/traces`, bodies, {
      seconds,
      concurrency,
      headers: { authorization: `Bearer ${benchKey}` },
    });
    return { spansPerSecond: (sent.ok * spansPerRequest) / sent.seconds, refused: sent.refused };
  } finally {
    await server.close();
  }
}

interface Round {
  decodeFloor: number;
  decodeMapEncode: number;
  endToEnd: number;
  ratio: number;
  uptime: string;
}

/** Decode floor, decode+map+encode and end-to-end of one workload, alternating in rounds; refusals added up. */
async function measureRounds(bodies: Buffer[], refused: Record<string, number>): Promise<Round[]> {
  const type = protoSchemas().exportTraceRequest;
  const body = bodies[0]!;
  const routes = new RouteBudget(500);
  const window = { now: Date.now(), maxPastMs: 86_400_000, maxFutureMs: 3_600_000 };
  const decode = () => type.decode(body);
  // The server's protobuf path (docs/adr/0118): one pass over the bytes, the rules, the WAL frame.
  const mapAndEncode = () => {
    const scanned = scanTraceRequest(body, 32)!;
    const ctx = { tenant: 'bench', window, routes };
    return encodeWalFrame(mapSpanReadings(scanned.recordSpans, scanned.spans, ctx, window.now).records);
  };
  spansPerSecondOf(mapAndEncode); // warm-up: compile and optimise decoder and mapper
  await endToEnd(bodies);
  const perRound: Round[] = [];
  for (let r = 0; r < rounds; r += 1) {
    const decodeFloor = spansPerSecondOf(decode);
    const decodeMapEncode = spansPerSecondOf(mapAndEncode);
    const e2e = await endToEnd(bodies);
    for (const [status, n] of Object.entries(e2e.refused)) refused[status] = (refused[status] ?? 0) + n;
    perRound.push({
      decodeFloor: Math.round(decodeFloor),
      decodeMapEncode: Math.round(decodeMapEncode),
      endToEnd: Math.round(e2e.spansPerSecond),
      ratio: Number((e2e.spansPerSecond / decodeFloor).toFixed(3)),
      uptime: uptime(),
    });
  }
  return perRound;
}

const summary = (perRound: Round[]) => ({
  decodeFloorSpansPerSecond: median(perRound.map((p) => p.decodeFloor)),
  decodeMapEncodeSpansPerSecond: median(perRound.map((p) => p.decodeMapEncode)),
  endToEndSpansPerSecond: median(perRound.map((p) => p.endToEnd)),
  ratioToDecodeFloor: median(perRound.map((p) => p.ratio)),
});

const serverSummary = (perRound: ServerProcessRound[]) => ({
  rounds: perRound,
  decodeFloorCpuUsPerSpan: median(perRound.map((p) => p.decodeFloorCpuUsPerSpan)),
  serverCpuUsPerSpan: median(perRound.map((p) => p.serverCpuUsPerSpan)),
  cpuRatioToDecodeFloor: median(perRound.map((p) => p.cpuRatio)),
});

async function main() {
  const uptimeAtStart = uptime();
  const bodies = Array.from({ length: 8 }, (_, i) => buildTraceRequest(i + 1));
  const clientBodies = Array.from({ length: 8 }, (_, i) => buildTraceRequest(i + 1, { clients: true }));
  const refused: Record<string, number> = {};
  const perRound = await measureRounds(bodies, refused);
  const clientRounds = await measureRounds(clientBodies, refused);
  const serverProcess = await serverProcessRounds(bodies, { seconds, concurrency, rounds }, refused);
  // The same for the half-CLIENT requests, whose ratio lagged (docs/adr/0135): GX_OTLP_PROFILE_DIR profiles both.
  const clientServerProcess = await serverProcessRounds(
    clientBodies,
    { seconds, concurrency, rounds },
    refused,
  );
  const edgeCost = await edgeRollupCost(edgeSpans, rounds);
  const collector = await collectorForwarding(bodies, { seconds: collectorSeconds, concurrency });
  const valid =
    Object.keys(refused).length === 0 &&
    Object.keys(collector.refusedByCollector).length === 0 &&
    collector.spansTakenByGravix === collector.spansSent;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'otlp-traces',
      valid,
      spansPerRequest,
      serverSpanShare,
      requestBytes: bodies[0]!.length,
      seconds,
      concurrency,
      rounds: perRound,
      ...summary(perRound),
      target: 0.3,
      stageCpuMicrosecondsPerSpan: { ...otlpStageCpu(bodies[0]!, rounds), uptime: uptime() },
      serverProcess: serverSummary(serverProcess),
      withClientSpans: {
        clientSpanShare: 0.5,
        requestBytes: clientBodies[0]!.length,
        rounds: clientRounds,
        ...summary(clientRounds),
        stageCpuMicrosecondsPerSpan: { ...otlpStageCpu(clientBodies[0]!, rounds), uptime: uptime() },
        serverProcess: serverSummary(clientServerProcess),
      },
      edgeRollupCost: { ...edgeCost, uptime: uptime() },
      refusedByGravix: refused,
      collector,
      uptime: { start: uptimeAtStart, end: uptime() },
    })}\n`,
  );
  if (!valid) process.exitCode = 1;
}

await main();
