import { encodeWalFrame } from '../../workers/ingest/wal/write-ahead-log.js';
import {
  countRecordSpans,
  mapSpanReadings,
  mapTraceRequest,
} from '../../workers/ingest/otlp/map-trace-request.js';
import { scanTraceRequest } from '../../workers/ingest/otlp/scan-trace-request.js';
import { protoSchemas } from '../../workers/ingest/otlp/proto-schemas.js';
import { exceedsMessageDepth } from '../../workers/ingest/otlp/protobuf-depth.js';
import { RouteBudget } from '../../workers/ingest/domain/route-budget.js';
import { spansPerRequest } from './otlp-bench-workload.js';

/** The ingest limit the depth check runs with (GRAVIX_MAX_JSON_DEPTH's default). */
const maxDepth = 32;

/**
 * CPU time per span of each step /v1/traces takes between the body and the WAL (otlp-traces-acceptor.ts), in this
 * process and without HTTP. The protobuf path (docs/adr/0118): the one pass over the bytes (`scan`) and the rules
 * over its readings (`mapScanned`); the reference path (OTLP/JSON, and protobuf bytes the one pass declines): the
 * nesting check, protobufjs decoding, the span count for admission, the mapping of the decoded message; both then
 * encode the WAL frame. `onePassTotal` and `referenceTotal` add up each path's steps. Steps run one after another
 * in rounds (a change of load hits each), medians of the rounds, in microseconds of process CPU per span.
 */
export function otlpStageCpu(body: Buffer, rounds: number, callsPerRound = 200): Record<string, number> {
  const type = protoSchemas().exportTraceRequest;
  const routes = new RouteBudget(500);
  const window = { now: Date.now(), maxPastMs: 86_400_000, maxFutureMs: 3_600_000 };
  const decoded = type.decode(body);
  const map = () => mapTraceRequest(decoded, { tenant: 'bench', window, routes }, window.now);
  const records = map().records;
  const scan = () => scanTraceRequest(body, maxDepth)!;
  const scanned = scan();
  const stages: Record<string, () => unknown> = {
    scan,
    mapScanned: () =>
      mapSpanReadings(scanned.recordSpans, scanned.spans, { tenant: 'bench', window, routes }, window.now),
    depthCheck: () => exceedsMessageDepth(body, type, maxDepth),
    decode: () => type.decode(body),
    countSpans: () => countRecordSpans(decoded),
    map,
    walEncode: () => encodeWalFrame(records),
  };
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const perStage = new Map<string, number[]>(Object.keys(stages).map((name) => [name, []]));
  for (let round = 0; round <= rounds; round++) {
    for (const [name, run] of Object.entries(stages)) {
      const started = cpuMs();
      for (let i = 0; i < callsPerRound; i++) run();
      // Round 0 warms the code up; its figures are dropped.
      const usPerSpan = ((cpuMs() - started) * 1000) / (callsPerRound * spansPerRequest);
      if (round > 0) perStage.get(name)!.push(usPerSpan);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const usPerSpan = Object.fromEntries(
    [...perStage].map(([name, xs]) => [name, Number(median(xs).toFixed(2))]),
  );
  const sum = (names: string[]) => Number(names.reduce((a, n) => a + usPerSpan[n]!, 0).toFixed(2));
  return {
    ...usPerSpan,
    onePassTotal: sum(['scan', 'mapScanned', 'walEncode']),
    referenceTotal: sum(['depthCheck', 'decode', 'countSpans', 'map', 'walEncode']),
  };
}
