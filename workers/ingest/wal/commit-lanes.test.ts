import { appendFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { chooseLane, LaneBytes } from './commit-lanes.js';
import { buildWalFact, readSegmentIds } from '../testing/wal-test-records.js';
import { encodeWalFrame, WriteAheadLog, type SealedSegment } from './write-ahead-log.js';

const fact = (tenant: string, id: string) => buildWalFact({ tenant, event_id: id });
/** One frame of `n` facts of `tenant`, ids `<prefix>-<i>`. */
const frame = (tenant: string, prefix: string, n = 1) =>
  encodeWalFrame(Array.from({ length: n }, (_, i) => fact(tenant, `${prefix}-${i}`)));

describe('chooseLane', () => {
  it('keeps a tenant in the small lane while its queued bytes and the frame fit its share, else the bulk lane', () => {
    expect(chooseLane(200, 0, 64 * 1024)).toBe('small');
    expect(chooseLane(200, 64 * 1024 - 200, 64 * 1024)).toBe('small');
    expect(chooseLane(200, 64 * 1024 - 199, 64 * 1024)).toBe('bulk');
    expect(chooseLane(170_000, 0, 64 * 1024)).toBe('bulk');
  });

  it('puts everything in one lane when the share is 0 (the code before)', () => {
    expect(chooseLane(170_000, 10_000_000, 0)).toBe('small');
  });

  it('counts only owners with bytes in the lane', () => {
    const bytes = new LaneBytes();
    bytes.add('a', 100);
    bytes.add('a', 50);
    bytes.remove('a', 100);
    expect(bytes.of('a')).toBe(50);
    bytes.remove('a', 50);
    expect(bytes.of('a')).toBe(0);
  });
});

describe('WriteAheadLog commit lanes', () => {
  it("acknowledges a neighbour's fact while the bulk lane is held mid-seal: it waits for none of a large tenant's bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-wal-'));
    const sealed: SealedSegment[] = [];
    let releaseSeal = () => {};
    let sealEntered = () => {};
    let held = false;
    const inSeal = new Promise<void>((r) => (sealEntered = r));
    const { wal } = await WriteAheadLog.open({
      dir,
      maxSegmentBytes: 1000,
      maxSegmentAgeMs: 60_000,
      smallLaneTenantBytes: 500,
      onSealed: (s) => sealed.push(s),
      // Only the first seal is held (the bulk lane's, below); close() seals both lanes again.
      testPause: async () => {
        if (held) return;
        held = true;
        sealEntered();
        await new Promise<void>((r) => (releaseSeal = r));
      },
    });
    await wal.appendFrame(frame('abuser', 'b1', 10), 'abuser');
    // The second large frame does not fit the bulk lane's segment: the lane seals it first, held in the pause.
    let bulkDone = false;
    const second = wal.appendFrame(frame('abuser', 'b2', 10), 'abuser').then(() => (bulkDone = true));
    await inSeal;
    await wal.appendFrame(frame('neighbour', 'n1'), 'neighbour');
    expect(bulkDone).toBe(false);
    releaseSeal();
    await second;
    await wal.close();
    const ids = await readSegmentIds(sealed);
    expect([...ids].sort()).toEqual(
      [...Array.from({ length: 10 }, (_, i) => [`b1-${i}`, `b2-${i}`]).flat(), 'n1-0'].sort(),
    );
    const neighbourSegment = sealed.filter((s) => s.bytes < 500);
    expect(await readSegmentIds(neighbourSegment)).toEqual(['n1-0']);
  });

  it('sends a tenant past its small-lane share to the bulk lane, and its neighbour stays in the small one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-wal-'));
    const sealed: SealedSegment[] = [];
    const { wal } = await WriteAheadLog.open({
      dir,
      maxSegmentBytes: 1 << 20,
      maxSegmentAgeMs: 60_000,
      smallLaneTenantBytes: 2 * frame('flood', 'f0').length,
      onSealed: (s) => sealed.push(s),
    });
    // Same tick: every frame is queued before the first commit, so the flood's queued bytes pass its share.
    await Promise.all([
      ...['f0', 'f1', 'f2', 'f3', 'f4'].map((id) => wal.appendFrame(frame('flood', id), 'flood')),
      wal.appendFrame(frame('neighbour', 'n0'), 'neighbour'),
    ]);
    await wal.close();
    expect(sealed).toHaveLength(2);
    const lanes = await Promise.all(sealed.map((s) => readSegmentIds([s])));
    const small = lanes.find((ids) => ids.includes('n0-0'))!;
    const bulk = lanes.find((ids) => !ids.includes('n0-0'))!;
    expect(small).toEqual(['f0-0', 'f1-0', 'n0-0']);
    expect(bulk).toEqual(['f2-0', 'f3-0', 'f4-0']);
  });

  it('recovers both lanes after a crash: each open segment truncated at its torn tail, every acknowledged frame once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-wal-'));
    const options = { dir, maxSegmentBytes: 1 << 20, maxSegmentAgeMs: 60_000, smallLaneTenantBytes: 500 };
    const first = await WriteAheadLog.open({ ...options, onSealed: () => {} });
    await Promise.all([
      first.wal.appendFrame(frame('abuser', 'big', 10), 'abuser'),
      first.wal.appendFrame(frame('neighbour', 'small'), 'neighbour'),
    ]);
    const open = readdirSync(dir).filter((n) => n.endsWith('.open'));
    expect(open).toHaveLength(2);
    // Torn frames past what was acknowledged, in both lanes.
    for (const name of open) appendFileSync(join(dir, name), Buffer.from([200, 0, 0, 0, 1, 2, 3]));

    const second = await WriteAheadLog.open({ ...options, onSealed: () => {} });
    expect(second.recovered).toHaveLength(2);
    expect([...(await readSegmentIds(second.recovered))].sort()).toEqual(
      [...Array.from({ length: 10 }, (_, i) => `big-${i}`), 'small-0'].sort(),
    );
    await second.wal.appendFrame(frame('neighbour', 'after'), 'neighbour');
    await second.wal.close();
    expect(readdirSync(dir).filter((n) => n.endsWith('.sealed'))).toHaveLength(3);
    expect(new Set(second.recovered.map((s) => s.seq)).size).toBe(2);
  });

  it("keeps every frame exactly once and each tenant's frames in order within a lane, for any mix of sizes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 12 }), fc.boolean()), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 600, max: 4000 }),
        async (appends, share, segmentBytes) => {
          const dir = mkdtempSync(join(tmpdir(), 'gx-wal-'));
          const sealed: SealedSegment[] = [];
          const { wal } = await WriteAheadLog.open({
            dir,
            maxSegmentBytes: segmentBytes,
            maxSegmentAgeMs: 60_000,
            smallLaneTenantBytes: share,
            perOwnerGroupBytes: 1000,
            onSealed: (s) => sealed.push(s),
          });
          const sent: string[] = [];
          const waits: Promise<void>[] = [];
          for (const [k, [owner, n, yieldAfter]] of appends.entries()) {
            waits.push(wal.appendFrame(frame(owner, `${owner}${k}`, n), owner));
            for (let i = 0; i < n; i++) sent.push(`${owner}${k}-${i}`);
            // Some appends wait for a commit: the lanes' queues fill and drain at different moments.
            if (yieldAfter) await Promise.race([waits.at(-1), new Promise((r) => setImmediate(r))]);
          }
          await Promise.all(waits);
          await wal.close();
          const segments = [...sealed].sort((x, y) => x.seq - y.seq);
          const stored = await readSegmentIds(segments);
          expect([...stored].sort()).toEqual([...sent].sort());
          for (const segment of segments) {
            const ids = await readSegmentIds([segment]);
            for (const owner of ['a', 'b', 'c']) {
              const order = ids
                .filter((id) => id.startsWith(owner))
                .map((id) => Number(id.slice(1).split('-')[0]));
              expect(order).toEqual([...order].sort((x, y) => x - y));
            }
          }
        },
      ),
      { numRuns: 25 },
    );
    // Real files: a loaded machine (load 40+) takes many times the quiet 3 s.
  }, 120_000);
});
