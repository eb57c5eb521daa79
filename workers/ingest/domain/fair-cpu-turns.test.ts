import fc from 'fast-check';
import { FairCpuTurns, runToEnd, type SlicedWork } from './fair-cpu-turns.js';

/** A schedule the test drives by hand: each step is one turn, as setImmediate would give between IO polls. */
function manualSchedule() {
  const pending: (() => void)[] = [];
  return {
    schedule: (run: () => void) => void pending.push(run),
    /** Runs the next scheduled turn; false when none is scheduled. */
    step(): boolean {
      const run = pending.shift();
      run?.();
      return run !== undefined;
    },
    drain(): number {
      let steps = 0;
      while (this.step()) steps++;
      return steps;
    },
  };
}

describe('FairCpuTurns', () => {
  it('runs nothing in the caller: a batch waits for its turn after pending IO', () => {
    const clock = manualSchedule();
    const turns = new FairCpuTurns(1000, clock.schedule);
    const ran: string[] = [];
    void turns.run('t', 10, () => ran.push('a'));
    expect(ran).toEqual([]);
    expect(turns.queued()).toEqual({ tenants: 1, batches: 1 });
    clock.drain();
    expect(ran).toEqual(['a']);
    expect(turns.queued()).toEqual({ tenants: 0, batches: 0 });
  });

  it("serves a neighbour's small batch after one turn of the abuser, however many the abuser queued first", () => {
    const clock = manualSchedule();
    const turns = new FairCpuTurns(256 * 1024, clock.schedule);
    const ran: string[] = [];
    for (let i = 0; i < 32; i++) void turns.run('abuser', 170_000, () => ran.push(`a${i}`));
    void turns.run('normal', 200, () => ran.push('n'));
    clock.step();
    // One turn of 256 KiB covers one 170 kB batch; the next turn is the neighbour's.
    expect(ran).toEqual(['a0']);
    clock.step();
    expect(ran).toEqual(['a0', 'n']);
    clock.drain();
    expect(ran).toHaveLength(33);
  });

  it("keeps each tenant's batches in the order they were queued", () => {
    const clock = manualSchedule();
    const turns = new FairCpuTurns(100, clock.schedule);
    const ran: string[] = [];
    for (let i = 0; i < 5; i++) {
      void turns.run('a', 60, () => ran.push(`a${i}`));
      void turns.run('b', 30, () => ran.push(`b${i}`));
    }
    clock.drain();
    expect(ran.filter((r) => r.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(ran.filter((r) => r.startsWith('b'))).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
  });

  it('runs a batch larger than the turn budget once its tenant has waited enough turns, others served between', () => {
    const clock = manualSchedule();
    const turns = new FairCpuTurns(100, clock.schedule);
    const ran: string[] = [];
    void turns.run('big', 250, () => ran.push('big'));
    for (let i = 0; i < 3; i++) void turns.run('small', 10, () => ran.push(`s${i}`));
    clock.step(); // big: credit 100, waits
    clock.step(); // small: all three (30 bytes)
    expect(ran).toEqual(['s0', 's1', 's2']);
    clock.step(); // big: credit 200, waits
    expect(ran).toEqual(['s0', 's1', 's2']);
    clock.step(); // big: credit 300, runs
    expect(ran).toEqual(['s0', 's1', 's2', 'big']);
    expect(clock.step()).toBe(false);
  });

  it('settles each batch with its result or its error, and goes on after an error', async () => {
    const clock = manualSchedule();
    const turns = new FairCpuTurns(100, clock.schedule);
    const failed = turns.run('t', 1, () => {
      throw new RangeError('bad batch');
    });
    const next = turns.run('t', 1, () => 42);
    clock.drain();
    await expect(failed).rejects.toThrow(new RangeError('bad batch'));
    await expect(next).resolves.toBe(42);
  });

  it('refuses a turn budget below one byte', () => {
    expect(() => new FairCpuTurns(0, () => {})).toThrow(
      new RangeError('turnBytes must be an integer of at least 1, got 0'),
    );
  });

  it('bounds the bytes run for other tenants before any queued batch of a tenant runs', () => {
    // Random tenants and sizes: between the moment a batch is queued and the moment it runs, every other tenant
    // runs at most (turns that tenant got) * turnBytes + its largest batch, and gets at most as many turns as the
    // batch's own tenant needed to build credit for it, plus one.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.array(
          fc.record({ tenant: fc.constantFrom('a', 'b', 'c'), bytes: fc.integer({ min: 0, max: 2000 }) }),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        (turnBytes, batches) => {
          const clock = manualSchedule();
          const turns = new FairCpuTurns(turnBytes, clock.schedule);
          const log: { tenant: string; bytes: number; index: number }[] = [];
          batches.forEach((b, index) => void turns.run(b.tenant, b.bytes, () => log.push({ ...b, index })));
          clock.drain();
          expect(log.map((l) => l.index).sort((x, y) => x - y)).toEqual(batches.map((_, i) => i));
          const largest = Math.max(...batches.map((b) => b.bytes));
          // Bytes run for others between two consecutive batches of one tenant: at most their turns' worth.
          for (const tenant of ['a', 'b', 'c']) {
            let others = new Map<string, number>();
            // Only while the tenant still has a batch queued (all were queued before the first turn).
            const last = log.map((l) => l.tenant).lastIndexOf(tenant);
            for (const entry of log.slice(0, last + 1)) {
              if (entry.tenant === tenant) others = new Map();
              else {
                const ran = (others.get(entry.tenant) ?? 0) + entry.bytes;
                others.set(entry.tenant, ran);
                const ownNeed = Math.ceil(largest / turnBytes) + 1;
                expect(ran).toBeLessThanOrEqual(ownNeed * turnBytes + largest);
              }
            }
          }
        },
      ),
    );
  });

  /** A batch of `slices` slices of `bytes` each, recording each slice as it runs. */
  function* slicedBatch(name: string, slices: number, bytes: number, ran: string[]): SlicedWork<string> {
    for (let i = 0; i < slices; i++) {
      yield bytes;
      ran.push(`${name}${i}`);
    }
    return name;
  }

  it("runs a sliced batch across its tenant's turns, a neighbour's batch between two of them", async () => {
    const clock = manualSchedule();
    const turns = new FairCpuTurns(64 * 1024, clock.schedule);
    expect(turns.sliceBytes).toBe(16 * 1024);
    const ran: string[] = [];
    const abuser = turns.runSliced('abuser', slicedBatch('a', 10, 16 * 1024, ran));
    // The first next() only announced a slice: nothing ran in the caller.
    expect(ran).toEqual([]);
    const normal = turns.run('normal', 200, () => ran.push('n'));
    clock.step();
    // One 64 KiB turn covers four 16 KiB slices, then the neighbour's turn comes.
    expect(ran).toEqual(['a0', 'a1', 'a2', 'a3']);
    clock.step();
    expect(ran.at(-1)).toBe('n');
    clock.drain();
    expect(ran).toEqual(['a0', 'a1', 'a2', 'a3', 'n', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9']);
    await expect(abuser).resolves.toBe('a');
    await expect(normal).resolves.toBe(5);
  });

  it("keeps a tenant's batches in order, a sliced one finished before the next starts", () => {
    const clock = manualSchedule();
    const turns = new FairCpuTurns(1000, clock.schedule);
    const ran: string[] = [];
    void turns.runSliced('t', slicedBatch('a', 3, 600, ran));
    void turns.run('t', 10, () => ran.push('b'));
    void turns.runSliced('u', slicedBatch('u', 2, 900, ran));
    clock.drain();
    // t's turns: a0 (credit 1000, 400 left), then a1, a2 and b (1400); u's first turn between them.
    expect(ran).toEqual(['a0', 'u0', 'a1', 'a2', 'b', 'u1']);
  });

  it("rejects a batch whose slice throws and goes on with the tenant's next batch", async () => {
    const clock = manualSchedule();
    const turns = new FairCpuTurns(100, clock.schedule);
    const ran: string[] = [];
    function* failing(): SlicedWork<string> {
      yield 50;
      ran.push('f0');
      yield 50;
      throw new Error('slice 2 failed');
    }
    const failed = turns.runSliced('t', failing());
    const next = turns.run('t', 10, () => ran.push('next'));
    clock.drain();
    await expect(failed).rejects.toThrow('slice 2 failed');
    await expect(next).resolves.toBe(2);
    expect(ran).toEqual(['f0', 'next']);
    expect(turns.queued()).toEqual({ tenants: 0, batches: 0 });
  });

  it('runs sliced work to its end in one go without turns', () => {
    const ran: string[] = [];
    expect(runToEnd(slicedBatch('a', 3, 10, ran))).toBe('a');
    expect(ran).toEqual(['a0', 'a1', 'a2']);
  });
});
