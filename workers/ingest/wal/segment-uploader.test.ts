import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { buildRawPartition, buildSegmentObjectKey } from '../../domain/raw-partition.js';
import { RawObjectCollisionError } from './put-segment-object.js';
import { buildWalFact, walJsonLines } from '../testing/wal-test-records.js';
import { SegmentUploader } from './segment-uploader.js';
import { encodeWalFrame, WriteAheadLog, type SealedSegment } from './write-ahead-log.js';

const ts = Date.parse('2026-11-23T10:00:00Z');
const partition = buildRawPartition('acme', ts);
const fact = (id: string) => buildWalFact({ event_id: id, ts });

/** A WAL directory with one sealed segment per batch of ids, and the store the uploader writes to. */
async function setup(batches: string[][]) {
  const root = mkdtempSync(join(tmpdir(), 'gx-upload-'));
  const sealed: SealedSegment[] = [];
  const { wal } = await WriteAheadLog.open({
    dir: join(root, 'wal'),
    maxSegmentBytes: 1 << 20,
    maxSegmentAgeMs: 60_000,
    onSealed: (s) => sealed.push(s),
  });
  for (const ids of batches) {
    await wal.appendFrame(encodeWalFrame(ids.map(fact)));
    await wal.sealNow();
  }
  await wal.close();
  return { root, wal, sealed, store: new LocalObjectStore(join(root, 'store')) };
}

function uploader(options: {
  store: LocalObjectStore;
  wal: WriteAheadLog;
  deleteSealed?: (s: SealedSegment) => Promise<void>;
}) {
  const logLines: Record<string, unknown>[] = [];
  const collisions: RawObjectCollisionError[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
  const instance = new SegmentUploader({
    store: options.store,
    ingesterId: 'ingest-0',
    log,
    deleteSealed: options.deleteSealed ?? ((s) => options.wal.deleteSealed(s)),
    onCollision: (e) => collisions.push(e),
    minBackoffMs: 10,
  });
  return { instance, logLines, collisions };
}

const keyOf = (s: SealedSegment) =>
  buildSegmentObjectKey('raw', partition, { ingesterId: 'ingest-0', seq: s.seq, segmentId: s.id });
const read = async (store: LocalObjectStore, key: string) =>
  gunzipSync((await store.get(key))!.body).toString('utf8');

describe('SegmentUploader', () => {
  it('uploads each segment to <ingester>-<seq>-<segment id> and deletes it locally once stored', async () => {
    const { wal, sealed, store } = await setup([['a', 'b'], ['c']]);
    const { instance } = uploader({ store, wal });
    for (const s of sealed) instance.enqueue(s);
    expect(await instance.drain(5_000)).toBe(true);
    expect(await read(store, keyOf(sealed[0]!))).toBe(walJsonLines(fact('a'), fact('b')));
    expect(await read(store, keyOf(sealed[1]!))).toBe(walJsonLines(fact('c')));
    expect(sealed.map((s) => existsSync(s.path))).toEqual([false, false]);
  });

  it('re-uploads a segment whose objects are already stored (a crash before the local delete) without rewriting them', async () => {
    const { wal, sealed, store } = await setup([['a', 'b']]);
    const crashed = uploader({ store, wal, deleteSealed: async () => {} });
    crashed.instance.enqueue(sealed[0]!);
    expect(await crashed.instance.drain(5_000)).toBe(true);
    const before = await store.head(keyOf(sealed[0]!));

    const restarted = uploader({ store, wal });
    restarted.instance.enqueue(sealed[0]!);
    expect(await restarted.instance.drain(5_000)).toBe(true);
    expect(await store.head(keyOf(sealed[0]!))).toEqual(before);
    expect(existsSync(sealed[0]!.path)).toBe(false);
  });

  it('accepts a stored object with the same records in other gzip bytes (compares records, not bytes)', async () => {
    const { wal, sealed, store } = await setup([['a']]);
    await store.put(keyOf(sealed[0]!), gzipSync(walJsonLines(fact('a')), { level: 9 }));
    const { instance, collisions } = uploader({ store, wal });
    instance.enqueue(sealed[0]!);
    expect(await instance.drain(5_000)).toBe(true);
    expect(collisions).toEqual([]);
  });

  it('never replaces an object holding other records: RAW_OBJECT_COLLISION, logged, counted, segment kept, later segments uploaded', async () => {
    const { wal, sealed, store } = await setup([['a'], ['b']]);
    const forged = gzipSync(walJsonLines(fact('someone-else')));
    await store.put(keyOf(sealed[0]!), forged);
    const { instance, logLines, collisions } = uploader({ store, wal });
    for (const s of sealed) instance.enqueue(s);
    await new Promise((r) => setTimeout(r, 200));
    expect(await instance.drain(500)).toBe(false);

    expect(collisions.map((e) => [e.code, e.key])).toEqual([['RAW_OBJECT_COLLISION', keyOf(sealed[0]!)]]);
    expect(collisions[0]!.message).toBe(
      `object '${keyOf(sealed[0]!)}' already exists with different content: raw and dead-letter objects are ` +
        'never replaced, so the local segment is kept until the object is examined',
    );
    const logged = logLines.find((l) => l['msg'] === 'raw object collision: segment kept');
    expect(logged).toMatchObject({ level: 50, code: 'RAW_OBJECT_COLLISION', seq: sealed[0]!.seq });
    expect(existsSync(sealed[0]!.path)).toBe(true);
    expect(Buffer.from((await store.get(keyOf(sealed[0]!)))!.body)).toEqual(forged);
    expect(instance.backlog()).toEqual({ segments: 1, bytes: sealed[0]!.bytes });
    expect(await read(store, keyOf(sealed[1]!))).toBe(walJsonLines(fact('b')));
    expect(existsSync(sealed[1]!.path)).toBe(false);
  });

  it('uploads a segment from before segment ids to its old key, or beside it when the old key holds other records', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gx-upload-'));
    const walDir = join(root, 'wal');
    const store = new LocalObjectStore(join(root, 'store'));
    const legacyKey = (seq: number) =>
      `raw/tenant=acme/date=2026-11-23/hour=10/ingest-0-00000000000${seq}.jsonl.gz`;
    await store.put(legacyKey(1), gzipSync(walJsonLines(fact('already-uploaded'))));
    await store.put(legacyKey(2), gzipSync(walJsonLines(fact('overwritten-by-the-old-restart-bug'))));
    mkdirSync(walDir);
    writeFileSync(join(walDir, 'seg-000000000001.sealed'), encodeWalFrame([fact('already-uploaded')]));
    writeFileSync(join(walDir, 'seg-000000000002.sealed'), encodeWalFrame([fact('never-uploaded')]));
    const { wal, recovered } = await WriteAheadLog.open({
      dir: walDir,
      maxSegmentBytes: 1 << 20,
      maxSegmentAgeMs: 60_000,
      onSealed: () => {},
    });
    const { instance, collisions } = uploader({ store, wal });
    for (const s of recovered) instance.enqueue(s);
    expect(await instance.drain(5_000)).toBe(true);

    expect(collisions).toEqual([]);
    const keys = (await store.list('raw/')).map((o) => o.key);
    const beside = keys.filter((k) => k !== legacyKey(1) && k !== legacyKey(2));
    expect(keys).toHaveLength(3);
    expect(beside[0]).toMatch(
      /^raw\/tenant=acme\/date=2026-11-23\/hour=10\/ingest-0-000000000002-[0-9a-f]{16}\.jsonl\.gz$/,
    );
    expect(await read(store, beside[0]!)).toBe(walJsonLines(fact('never-uploaded')));
    expect(await read(store, legacyKey(2))).toBe(walJsonLines(fact('overwritten-by-the-old-restart-bug')));
    expect(recovered.map((s) => existsSync(s.path))).toEqual([false, false]);
  });
});
