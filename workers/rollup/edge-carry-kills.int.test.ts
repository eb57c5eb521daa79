import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, context, trace, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { builtCli } from '../../testbin/harness/built-cli.js';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import { buildDataFileKey, buildManifestKey } from '../domain/metrics-layout.js';
import { buildRawPartition } from '../domain/raw-partition.js';
import type { RawRecord } from '../domain/raw-record.js';
import { startIngestAppHarness, type IngestAppHarness } from '../ingest/testing/ingest-app-harness.js';
import { decodeEdgeMetrics } from './adapters/metrics-parquet.js';
import { loadManifest } from './app/commit-partition.js';
import { putRawSegment } from './testing/raw-segments.js';
import { spawnRollup, type RollupProcess } from './testing/rollup-processes.js';

const hour = 3_600_000;
const h11 = Date.parse('2026-11-20T11:00:00Z');
const [p10, p11] = [buildRawPartition('acme', h11 - hour), buildRawPartition('acme', h11)];
const processEnv = { GRAVIX_RAW_RETENTION_DAYS: '3650', GRAVIX_METRICS_RETENTION_DAYS: '3650' };
const hrTime = (ms: number): [number, number] => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

/**
 * Real OpenTelemetry JS SDK spans through the ingest server's /v1/traces into its WAL: checkout calls payments
 * without naming it (no peer.service), the CLIENT spans starting in the last seconds of 10:00-11:00 and payments'
 * SERVER spans in the first second after 11:00; calls queued for minutes, whose SERVER span starts 7 minutes into
 * hour 11 (docs/adr/0111: named too); calls whose CLIENT spans start in hour 11's first second and whose SERVER
 * spans a server with a clock 3 s behind stamped before 11:00 (docs/adr/0128: named from hour 10's tails); a few
 * earlier calls within hour 10; and calls whose SERVER span was never exported.
 */
async function sendStraddlingCalls(harness: IngestAppHarness) {
  const exporter = (service: string) =>
    new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      spanProcessors: [
        new BatchSpanProcessor(
          new OTLPTraceExporter({
            url: `${harness.url}/v1/traces`,
            headers: { Authorization: 'Bearer w-key' },
          }),
          { maxExportBatchSize: 100, maxQueueSize: 1000 },
        ),
      ],
    });
  const [checkout, payments] = [exporter('checkout'), exporter('payments')];
  const http = { 'http.request.method': 'POST', 'http.route': '/pay', 'http.response.status_code': 200 };
  const call = (clientStart: number, serverStart: number | undefined, clientMs: number) => {
    const client: Span = checkout.getTracer('t').startSpan('POST', {
      kind: SpanKind.CLIENT,
      startTime: hrTime(clientStart),
      attributes: { 'http.request.method': 'POST' },
    });
    if (serverStart !== undefined) {
      const server = payments
        .getTracer('t')
        .startSpan(
          'POST /pay',
          { kind: SpanKind.SERVER, startTime: hrTime(serverStart), attributes: http },
          trace.setSpan(context.active(), client),
        );
      server.end(hrTime(serverStart + 5));
    }
    client.end(hrTime(clientStart + clientMs));
  };
  const straddling = 40;
  for (let i = 0; i < straddling; i++) call(h11 - 3_000 + i * 50, h11 + 100 + i * 50, 3_300);
  const queued = 8;
  for (let i = 0; i < queued; i++) call(h11 - 2_000 + i * 50, h11 + 7 * 60_000 + i * 50, 10 * 60_000);
  for (let i = 0; i < 10; i++) call(h11 - 30 * 60_000 + i * 1000, h11 - 30 * 60_000 + i * 1000 + 2, 10);
  for (let i = 0; i < 5; i++) call(h11 - 2_000 + i * 10, undefined, 2_500);
  const early = 6;
  for (let i = 0; i < early; i++) call(h11 + 1_000 + i * 50, h11 - 2_000 + i * 50 + 20, 200);
  for (const p of [checkout, payments]) {
    await p.forceFlush();
    await p.shutdown();
  }
  return { straddling: straddling + queued, within: 10, lost: 5, early };
}

/** The WAL's records, one raw segment per partition, as the uploader stores them (only `hours`' when given). */
async function storeRawSegments(
  store: LocalObjectStore,
  records: readonly RawRecord[],
  hours?: readonly number[],
): Promise<void> {
  const byHour = new Map<number, RawRecord[]>();
  for (const r of records) {
    const start = Math.floor(r.ts / hour) * hour;
    if (hours === undefined || hours.includes(start)) byHour.set(start, [...(byHour.get(start) ?? []), r]);
  }
  for (const [start, rs] of byHour) await putRawSegment(store, rs, { seq: start / hour });
}

/** The SDK's spans through the ingest server into its WAL, once for every case: the records the uploader stores. */
let sending: ReturnType<typeof sendRecords> | undefined;
const sentRecords = () => (sending ??= sendRecords());

async function sendRecords() {
  const harness = await startIngestAppHarness({ now: h11 + 8 * 60_000 });
  const sent = await sendStraddlingCalls(harness);
  const records = (await harness.records()).filter((r): r is RawRecord => r.kind !== 'rejected');
  await harness.close();
  expect(records.filter((r) => r.kind === 'edge')).toHaveLength(
    sent.straddling + sent.within + sent.lost + sent.early,
  );
  return { sent, records };
}

/** SIGKILLs the run inside the first pause at `phase` after hour 10's partition was rolled up. */
async function killAfterHour10(run: RollupProcess, phase: string): Promise<void> {
  await killAfterOutput(run, `"manifest":"${buildManifestKey(p10)}"`, `"phase":"${phase}"`);
}

/** SIGKILLs the run inside the first pause whose log line (`then`) follows one that holds `first`. */
async function killAfterOutput(run: RollupProcess, first: string, then: string): Promise<void> {
  for (;;) {
    const out = run.output();
    const at = out.indexOf(first);
    if (at >= 0 && out.indexOf(then, at) >= 0) break;
    if (run.child.exitCode !== null) throw new Error(`rollup exited before the kill:\n${out}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  run.child.kill('SIGKILL');
  expect((await run.exited).signal).toBe('SIGKILL');
}

const hourEdges = async (store: LocalObjectStore, p = p10) =>
  decodeEdgeMetrics((await store.get(buildDataFileKey('service_edges_hour', p)))!.body, 'hour').map((r) => [
    r.caller,
    r.callee,
    r.requests,
  ]);

let cli: string;
beforeAll(async () => {
  cli = await builtCli();
}, 600_000);

describe('service-map calls across an hour boundary, rolled up by real rollup processes killed between the hours', () => {
  it.each([
    ['before the next hour is read', 'scan'],
    ['after the next hour committed, before it was published', 'publish'],
  ])(
    'a kill %s leaves the calls unresolved until the next run names them, once',
    async (_when, phase) => {
      const { sent, records } = await sentRecords();

      const dataDir = mkdtempSync(join(tmpdir(), 'gx-edge-carry-'));
      const store = new LocalObjectStore(join(dataDir, 'store'));
      await storeRawSegments(store, records);
      const env = { GRAVIX_STORE: 'local', GRAVIX_DATA_DIR: dataDir, ...processEnv };

      const killed = spawnRollup(cli, { ...env, GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS: '400' }, ['--once']);
      await killAfterHour10(killed, phase);
      // Hour 10 is committed with its straddling calls waiting and counted as unresolved, never dropped.
      const first = (await loadManifest(store, buildManifestKey(p10)))!.manifest;
      expect(first).toMatchObject({ generation: 1, published: true });
      expect(first.stats.edges).toMatchObject({
        edges: 63,
        matched: 10,
        unresolved: 53,
        waiting: 53,
        next_matched: 0,
      });
      expect(await hourEdges(store)).toEqual([
        ['checkout', ':unresolved', 53],
        ['checkout', 'payments', 10],
      ]);

      const resumed = await spawnRollup(cli, env, ['--once']).exited;
      expect(resumed.code).toBe(0);
      expect(await hourEdges(store)).toEqual([
        ['checkout', ':unresolved', sent.lost],
        ['checkout', 'payments', sent.straddling + sent.within],
      ]);
      const second = (await loadManifest(store, buildManifestKey(p10)))!.manifest;
      expect(second).toMatchObject({ generation: 2, published: true });
      expect(second.stats.edges).toMatchObject({ matched: 58, unresolved: 5, waiting: 53, next_matched: 48 });
      expect((await loadManifest(store, buildManifestKey(p11)))!.manifest).toMatchObject({ published: true });
      // Hour 11's own calls are named from hour 10's tails, which were published before hour 11 was computed.
      expect(await hourEdges(store, p11)).toEqual([['checkout', 'payments', sent.early]]);

      const again = await spawnRollup(cli, env, ['--once']).exited;
      expect(again.code).toBe(0);
      expect((await loadManifest(store, buildManifestKey(p10)))!.manifest.generation).toBe(2);
    },
    300_000,
  );

  it('a previous hour that lands after its next hour was rolled up: a kill while the next hour is recomputed leaves its calls unresolved until the next run names them, once', async () => {
    const { sent, records } = await sentRecords();
    const dataDir = mkdtempSync(join(tmpdir(), 'gx-edge-carry-'));
    const store = new LocalObjectStore(join(dataDir, 'store'));
    const env = { GRAVIX_STORE: 'local', GRAVIX_DATA_DIR: dataDir, ...processEnv };
    // Hour 10's segment is uploaded late (its ingester was down): hour 11 is rolled up without it.
    await storeRawSegments(store, records, [h11]);
    expect((await spawnRollup(cli, env, ['--once']).exited).code).toBe(0);
    expect(await hourEdges(store, p11)).toEqual([['checkout', ':unresolved', sent.early]]);

    await storeRawSegments(store, records, [h11 - hour]);
    const killed = spawnRollup(cli, { ...env, GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS: '400' }, ['--once']);
    // Killed after hour 11's new generation committed, before its files were published.
    await killAfterOutput(killed, '"side":"prev"', '"phase":"publish"');
    const committed = (await loadManifest(store, buildManifestKey(p11)))!.manifest;
    expect(committed).toMatchObject({ generation: 2, published: false });
    expect(await hourEdges(store, p11)).toEqual([['checkout', ':unresolved', sent.early]]);

    expect((await spawnRollup(cli, env, ['--once']).exited).code).toBe(0);
    expect(await hourEdges(store, p11)).toEqual([['checkout', 'payments', sent.early]]);
    const resumed = (await loadManifest(store, buildManifestKey(p11)))!.manifest;
    expect(resumed).toMatchObject({ generation: 2, published: true });
    expect(resumed.stats.edges).toMatchObject({ early: sent.early, prev_matched: sent.early, unresolved: 0 });
    expect(await hourEdges(store)).toEqual([
      ['checkout', ':unresolved', sent.lost],
      ['checkout', 'payments', sent.straddling + sent.within],
    ]);

    expect((await spawnRollup(cli, env, ['--once']).exited).code).toBe(0);
    expect((await loadManifest(store, buildManifestKey(p11)))!.manifest.generation).toBe(2);
  }, 300_000);
});
