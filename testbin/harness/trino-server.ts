import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BasicAuth, Trino } from 'trino-client';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildHiveCatalogProperties,
  buildTrinoJvmConfig,
  buildTrinoQueryHistoryProperties,
  buildTrinoLogProperties,
} from '../../cdk8s/trino-settings.js';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import type { MinioServer } from './minio-server.js';
import { testbinPaths } from './testbin-paths.js';
import { trinoPluginDir } from './trino-functions-plugin.js';
import { waitUntil } from './wait-until.js';

/** Trino's DiscoveryNodeManager refresh period, which its configuration does not expose. */
const NODE_MAP_REFRESH_MS = 5_000;

export interface TrinoServer {
  url: string;
  /** Name of the Hive catalog wired to the S3 store. */
  catalog: string;
  stop(): Promise<void>;
}

export interface TrinoOptions {
  s3: MinioServer;
  /** Bucket that holds the file metastore. It must exist before the first query. */
  metastoreBucket: string;
  /** Default 'fast-start' (tests); benches pass 'production'. */
  jit?: TrinoJit;
  /** Aborting stops the server while it starts (a bench interrupted during start-up) and rejects. */
  signal?: AbortSignal;
  /** The port to serve on (default: a free one); a test that points a client at Trino before it starts picks it. */
  port?: number;
  /**
   * Whether Trino loads Gravix's functions (trino-functions/, as the Trino pods do); default true. False runs a
   * Trino without them, whose statements the engine must build from plain SQL (docs/adr/0146).
   */
  functions?: boolean;
}

/**
 * 'production' runs the JVM flags a pipeline deploys (cdk8s/trino-settings.ts), as the query bench must;
 * 'fast-start' adds C1-only JIT, which brings a test server up sooner and runs queries 1.5-3x slower.
 */
export type TrinoJit = 'production' | 'fast-start';

function jvmConfig(jit: TrinoJit): string {
  const fastStart = jit === 'fast-start' ? ['-XX:TieredStopAtLevel=1'] : [];
  return buildTrinoJvmConfig('2G', fastStart);
}

function hiveCatalog({ s3, metastoreBucket }: TrinoOptions): string {
  return buildHiveCatalogProperties({
    metastoreDir: `s3://${metastoreBucket}/trino-metastore`,
    endpoint: s3.endpoint,
    region: s3.region,
    pathStyle: true,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
  });
}

function writeEtc(dir: string, port: number, options: TrinoOptions): void {
  const etc = join(dir, 'etc');
  mkdirSync(join(etc, 'catalog'), { recursive: true });
  // Without internal-address Trino announces the first non-loopback interface, which may be a bridge another
  // test's cluster creates and tears down (then every task status call fails until the query gives up).
  const node = [
    'node.environment=test',
    `node.data-dir=${join(dir, 'data')}`,
    'node.internal-address=127.0.0.1',
  ];
  writeFileSync(join(etc, 'node.properties'), `${node.join('\n')}\n`);
  writeFileSync(join(etc, 'jvm.config'), jvmConfig(options.jit ?? 'fast-start'));
  writeFileSync(
    join(etc, 'config.properties'),
    [
      'coordinator=true',
      'node-scheduler.include-coordinator=true',
      `http-server.http.port=${port}`,
      `discovery.uri=http://127.0.0.1:${port}`,
      'query.max-memory=1GB',
      'query.max-memory-per-node=512MB',
      ...buildTrinoQueryHistoryProperties(),
      `plugin.dir=${trinoPluginDir(dir, options.functions ?? true)}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(etc, 'catalog', 'hive.properties'), hiveCatalog(options));
  writeFileSync(join(etc, 'log.properties'), buildTrinoLogProperties());
}

/** A statement as Trino's query list (REST `/v1/query`) gives it: no stats, those are per query. */
export interface TrinoListedQuery {
  queryId: string;
  query: string;
  state: string;
}

/** Every statement this Trino still remembers, in no particular order (match them by id, not by position). */
export async function listTrinoQueries(server: TrinoServer): Promise<TrinoListedQuery[]> {
  const response = await fetch(`${server.url}/v1/query`, { headers: { 'X-Trino-User': 'gravix' } });
  return (await response.json()) as TrinoListedQuery[];
}

/** Starts a real single-node Trino (coordinator + worker) with a Hive catalog over MinIO. */
export async function startTrino(options: TrinoOptions): Promise<TrinoServer> {
  const paths = testbinPaths();
  const dir = mkdtempSync(join(tmpdir(), 'gravix-trino-'));
  const port = options.port ?? (await freePort());
  writeEtc(dir, port, options);
  const javaBin = join(paths.temurinJavaHome, 'bin');
  const proc = new ManagedProcess({
    name: 'trino',
    command: join(paths.trinoHome, 'bin', 'launcher'),
    args: ['run', `--etc-dir=${join(dir, 'etc')}`, `--data-dir=${join(dir, 'data')}`],
    env: { JAVA_HOME: paths.temurinJavaHome, PATH: `${javaBin}:${process.env['PATH'] ?? ''}` },
  });
  proc.start();
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      async () => {
        proc.assertRunning();
        const info = (await (await fetch(`${url}/v1/info`)).json()) as { starting?: boolean };
        return info.starting === false;
      },
      // 240 s was not enough twice on 2026-12-02 at load 35-45 (three other Trinos starting on the 2 cores).
      { what: 'trino /v1/info starting=false', timeoutMs: 480_000, intervalMs: 1000, signal: options.signal },
    );
    // "Started" is not "schedulable": until the node announces itself, scans fail with "No nodes available".
    const client = Trino.create({ server: url, auth: new BasicAuth('gravix-harness') });
    await waitUntil(
      async () => {
        proc.assertRunning();
        for await (const result of await client.query(
          "SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'",
        )) {
          if (result.error) return false;
          if (Number(result.data?.[0]?.[0] ?? 0) > 0) return true;
        }
        return false;
      },
      { what: 'an active Trino worker node', timeoutMs: 120_000, intervalMs: 500, signal: options.signal },
    );
    // The hive catalog loaded: its information_schema answers.
    await waitUntil(
      async () => {
        proc.assertRunning();
        for await (const result of await client.query(
          'SELECT count(*) FROM hive.information_schema.schemata',
        )) {
          if (result.error) return false;
          if (result.data) return true;
        }
        return false;
      },
      { what: 'the hive catalog loaded', timeoutMs: 120_000, intervalMs: 500, signal: options.signal },
    );
    // Neither gate proves a hive scan can be placed: system and information_schema splits run on the coordinator
    // without the per-catalog node map, which Trino's node manager rebuilds every 5 s, the build before startup with no
    // catalog in it; a scan meanwhile fails with "No nodes available to run query" (twice in whole integration runs).
    // Probing with a real scan would write a table into the test's bucket, so wait out one refresh instead.
    await sleep(NODE_MAP_REFRESH_MS + 1_000, undefined, { signal: options.signal });
  } catch (error) {
    // A start that fails or is aborted must not leave a 2 GiB JVM behind on a shared machine.
    await proc.stop('SIGTERM', 20_000);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    catalog: 'hive',
    async stop() {
      await proc.stop('SIGTERM', 20_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
