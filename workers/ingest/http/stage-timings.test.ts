import { cpus } from 'node:os';
import { StageTimings, timed, waitEnd, waitStart } from './stage-timings.js';

describe('StageTimings (benches only)', () => {
  it('charges synchronous stages with loop and CPU time, and waits with loop time only, per tenant', () => {
    const timings = new StageTimings();
    const spin = (ms: number) => {
      const until = process.hrtime.bigint() + BigInt(ms * 1e6);
      while (process.hrtime.bigint() < until);
      return ms;
    };
    expect(timed(timings, 'abuser', 'validate', () => spin(20))).toBe(20);
    expect(() =>
      timed(timings, 'abuser', 'parse', () => {
        throw new RangeError('malformed');
      }),
    ).toThrow(new RangeError('malformed'));
    waitEnd(timings, 'normal', 'append', waitStart(timings));
    const report = timings.report();
    expect(report['abuser']?.validate?.count).toBe(1);
    expect(report['abuser']?.validate?.loopMs).toBeGreaterThanOrEqual(20);
    // The process's CPU over the span: at most every core busy for all of it (a loaded machine may deschedule the
    // thread, so there is no useful floor).
    const { loopMs, cpuMs } = report['abuser']!.validate!;
    expect(cpuMs).toBeLessThanOrEqual(loopMs * cpus().length + 1);
    expect(report['abuser']?.parse?.count).toBe(1);
    expect(report['normal']?.append).toEqual({ count: 1, loopMs: expect.any(Number) });
  });

  it('keeps each tenant’s requests’ time in the server as a histogram', () => {
    const timings = new StageTimings();
    const started = process.hrtime.bigint() - 5_000_000n;
    timings.answered('normal', started);
    timings.answered('normal', started);
    const { normal } = timings.latencyReport();
    expect(normal?.count).toBe(2);
    expect(normal?.p99Ms).toBeGreaterThanOrEqual(5);
  });

  it('costs nothing when off: the work runs bare and no wait is started', () => {
    expect(timed(undefined, 't', 'parse', () => 7)).toBe(7);
    expect(waitStart(undefined)).toBeUndefined();
    expect(() => waitEnd(undefined, 't', 'read', undefined)).not.toThrow();
  });
});
