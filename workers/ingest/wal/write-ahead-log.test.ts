import { appendFileSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawFact } from '../../domain/raw-record.js';
import { encodeWalFrame, readSegmentRecords, WriteAheadLog, type SealedSegment } from './write-ahead-log.js';

const fact = (id: string): RawFact => ({
  kind: 'fact',
  tenant: 'acme',
  event_id: id,
  ts: 1_795_000_000_000,
  service: 'api',
  method: 'GET',
  path: '/a',
  status_code: 200,
  latency_ms: 1,
});

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
    const ids = (await Promise.all(sealed.map((s) => readSegmentRecords(s.path))))
      .flat()
      .map((r) => (r.kind === 'rejected' ? '' : r.event_id));
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
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
    expect(
      (await readSegmentRecords(second.recovered[0]!.path)).map((r) =>
        r.kind === 'rejected' ? '' : r.event_id,
      ),
    ).toEqual(['kept-1', 'kept-2']);
    await second.wal.appendFrame(encodeWalFrame([fact('after')]));
    await second.wal.close();
    expect(readdirSync(dir).filter((n) => n.endsWith('.sealed'))).toHaveLength(2);
  });
});
