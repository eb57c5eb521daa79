import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildWalFact, readSegmentIds } from '../testing/wal-test-records.js';
import { encodeWalFrame, WriteAheadLog, type SealedSegment } from './write-ahead-log.js';

const fact = (id: string) => buildWalFact({ event_id: id });

describe('WriteAheadLog', () => {
  it('commits concurrent appends together and seals by size, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-wal-'));
    const sealed: SealedSegment[] = [];
    let fsyncs = 0;
    const { wal } = await WriteAheadLog.open({
      dir,
      maxSegmentBytes: 600,
      maxSegmentAgeMs: 60_000,
      onSealed: (s) => sealed.push(s),
      onFsync: () => (fsyncs += 1),
    });
    await Promise.all(['a', 'b', 'c'].map((id) => wal.appendFrame(encodeWalFrame([fact(id)]))));
    expect(fsyncs).toBe(1);
    for (const id of ['d', 'e', 'f', 'g']) await wal.appendFrame(encodeWalFrame([fact(id)]));
    await wal.close();
    expect(sealed.length).toBeGreaterThan(1);
    expect(await readSegmentIds(sealed)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    await expect(wal.appendFrame(encodeWalFrame([fact('late')]))).rejects.toThrow(
      'write-ahead log is closed',
    );
  });

  it('recovers an unsealed segment after a crash: truncates the torn tail and hands it over sealed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-wal-'));
    const first = await WriteAheadLog.open({
      dir,
      maxSegmentBytes: 1 << 20,
      maxSegmentAgeMs: 60_000,
      onSealed: () => {},
    });
    await first.wal.appendFrame(encodeWalFrame([fact('kept-1'), fact('kept-2')]));
    const [open] = readdirSync(dir).filter((n) => n.endsWith('.open'));
    const validBytes = statSync(join(dir, open!)).size;
    appendFileSync(join(dir, open!), Buffer.from([200, 0, 0, 0, 1, 2, 3]));

    const second = await WriteAheadLog.open({
      dir,
      maxSegmentBytes: 1 << 20,
      maxSegmentAgeMs: 60_000,
      onSealed: () => {},
    });
    expect(second.recovered).toHaveLength(1);
    expect(second.recovered[0]!.bytes).toBe(validBytes);
    expect(await readSegmentIds(second.recovered)).toEqual(['kept-1', 'kept-2']);
    await second.wal.appendFrame(encodeWalFrame([fact('after')]));
    await second.wal.close();
    expect(readdirSync(dir).filter((n) => n.endsWith('.sealed'))).toHaveLength(2);
  });
});

describe('WriteAheadLog segment identity', () => {
  const open = (dir: string, sealed: SealedSegment[] = []) =>
    WriteAheadLog.open({
      dir,
      maxSegmentBytes: 1 << 20,
      maxSegmentAgeMs: 60_000,
      onSealed: (s) => sealed.push(s),
    });

  it('numbers segments on from the highest number ever used, after every segment was uploaded and deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-wal-'));
    const sealed: SealedSegment[] = [];
    for (let run = 0; run < 3; run++) {
      const { wal } = await open(dir, sealed);
      await wal.appendFrame(encodeWalFrame([fact(`run-${run}`)]));
      await wal.close();
      await wal.deleteSealed(sealed.at(-1)!);
      expect(readdirSync(dir).filter((n) => n.startsWith('seg-'))).toEqual([]);
    }
    expect(sealed.map((s) => s.seq)).toEqual([1, 2, 3]);
    expect(new Set(sealed.map((s) => s.id)).size).toBe(3);
    for (const s of sealed) {
      expect(s.id).toMatch(/^[0-9a-f]{16}$/);
      expect(s.path).toBe(join(dir, `seg-${String(s.seq).padStart(12, '0')}-${s.id}.sealed`));
    }
    expect(readFileSync(join(dir, 'seq-high-water'), 'utf8')).toBe('3\n');
  });

  it('recovers segments written before segment ids and numbers new segments after them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-wal-'));
    writeFileSync(join(dir, 'seg-000000000007.sealed'), encodeWalFrame([fact('old-sealed')]));
    writeFileSync(join(dir, 'seg-000000000008.open'), encodeWalFrame([fact('old-open')]));
    const sealed: SealedSegment[] = [];
    const { wal, recovered } = await open(dir, sealed);
    expect(recovered.map((s) => [s.seq, s.id, s.path])).toEqual([
      [7, undefined, join(dir, 'seg-000000000007.sealed')],
      [8, undefined, join(dir, 'seg-000000000008.sealed')],
    ]);
    await wal.appendFrame(encodeWalFrame([fact('new')]));
    await wal.close();
    expect(sealed.map((s) => s.seq)).toEqual([9]);
  });

  it('recovers an open segment under its own id, so its objects keep the key they were meant to have', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-wal-'));
    const first = await open(dir);
    await first.wal.appendFrame(encodeWalFrame([fact('a')]));
    const [openName] = readdirSync(dir).filter((n) => n.endsWith('.open'));
    const { recovered } = await open(dir);
    expect(recovered.map((s) => `${basename(s.path, '.sealed')}.open`)).toEqual([openName]);
  });

  it('refuses a high-water mark it cannot read, naming the file and what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-wal-'));
    writeFileSync(join(dir, 'seq-high-water'), 'garbage');
    await expect(open(dir)).rejects.toThrow(
      `${join(dir, 'seq-high-water')} holds "garbage", expected a sequence number and a newline; remove it to ` +
        'restart numbering from the segments present (segment ids keep object keys unique)',
    );
  });
});
