import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { hashApiKey } from '../../domain/api-keys.js';
import { RateLimiter } from '../domain/rate-limiter.js';
import { RouteBudget } from '../domain/route-budget.js';
import type { TenantTurns } from '../domain/tenant-turns.js';
import { buildIngestListener, type IngestLimits } from '../http/ingest-app.js';
import { buildIngestMetrics } from '../ingest-metrics.js';
import type { WalRecord } from '../wal/wal-record.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import { readSealedRecords } from './wal-test-records.js';
import { staticKeys } from '../../domain/key-ring.js';

/** The in-process ingest listener over a real WAL in a temp dir, on a loopback port: for HTTP-level unit tests. */
export interface IngestAppHarness {
  url: string;
  wal: WriteAheadLog;
  metrics: ReturnType<typeof buildIngestMetrics>;
  /** Seals the open segment and reads every record written so far. */
  records(): Promise<WalRecord[]>;
  close(): Promise<void>;
}

export const harnessKeys = [
  { name: 'writer', tenant: 'acme', sha256: hashApiKey('w-key'), scopes: ['ingest' as const] },
  { name: 'reader', tenant: 'acme', sha256: hashApiKey('r-key'), scopes: ['query' as const] },
  // A second key of the same tenant (limits are per tenant) and a neighbour tenant.
  { name: 'writer-2', tenant: 'acme', sha256: hashApiKey('w-key-2'), scopes: ['ingest' as const] },
  { name: 'neighbour', tenant: 'globex', sha256: hashApiKey('g-key'), scopes: ['ingest' as const] },
];

export interface IngestAppHarnessOptions {
  now: number;
  limits?: Partial<IngestLimits>;
  itemRate?: { perSecond: number; burst: number };
  byteRate?: { perSecond: number; burst: number };
  turns?: TenantTurns;
  failAppend?: () => boolean;
}

export async function startIngestAppHarness(options: IngestAppHarnessOptions): Promise<IngestAppHarness> {
  const { now } = options;
  const dir = mkdtempSync(join(tmpdir(), 'gx-ingest-'));
  const { wal } = await WriteAheadLog.open({
    dir,
    maxSegmentBytes: 1 << 22,
    maxSegmentAgeMs: 600_000,
    onSealed: () => {},
  });
  const metrics = buildIngestMetrics(
    () => ({ segments: 0, bytes: 0 }),
    () => wal.diskBytes(),
  );
  const walPort = {
    diskBytes: () => wal.diskBytes(),
    ownerBytes: (t: string) => wal.ownerBytes(t),
    isWritable: () => wal.isWritable(),
    appendFrame: (frame: Buffer, owner: string) =>
      options.failAppend?.() ? Promise.reject(new Error('disk gone')) : wal.appendFrame(frame, owner),
  };
  const listener = buildIngestListener({
    wal: walPort,
    keys: staticKeys(harnessKeys),
    rates: {
      items: new RateLimiter(options.itemRate ?? { perSecond: 100_000, burst: 100_000 }, () => now),
      bytes: new RateLimiter(options.byteRate ?? { perSecond: 1 << 30, burst: 1 << 30 }, () => now),
    },
    routes: new RouteBudget(100),
    turns: options.turns,
    metrics,
    log: pino({ level: 'silent' }),
    limits: {
      maxBodyBytes: 4 << 20,
      maxItemsPerBatch: 10_000,
      maxJsonDepth: 32,
      diskBudgetBytes: 1 << 30,
      tenantDiskBytes: 1 << 29,
      maxPastMs: 86_400_000,
      maxFutureMs: 3_600_000,
      ...options.limits,
    },
    now: () => now,
  });
  const server: Server = await new Promise((r) => {
    const s = createServer(listener).listen(0, '127.0.0.1', () => r(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    wal,
    metrics,
    records: () => readSealedRecords(wal, dir),
    close: async () => {
      // Requests a test left unfinished (held turns) must not keep the server open.
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await wal.close();
    },
  };
}
