import { cpus } from 'node:os';
import { runToEnd, type SlicedWork } from '../domain/fair-cpu-turns.js';
import { StageTimings, timed, timedSteps, waitEnd, waitStart } from './stage-timings.js';

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
    // The process's CPU over the span: about every core busy for all of it at most (a loaded machine may deschedule
    // the thread, so there is no useful floor). "About": the CPU time is whatever the kernel, or a sandbox in front
    // of it, has charged so far, and that may be charged in scheduler ticks (a CI run saw 70 ms of CPU in a 34 ms
    // span on 2 cores), so each core gets 10 ms of slack. What this still catches is a unit slip (microseconds
    // reported as milliseconds would be ~1,000 times the span).
    const { loopMs, cpuMs } = report['abuser']!.validate!;
    expect(cpuMs).toBeGreaterThanOrEqual(0);
    expect(cpuMs).toBeLessThanOrEqual((loopMs + 10) * cpus().length);
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

  it('measures sliced work slice by slice, reporting the longest, and calls firstSlice once as the work starts', () => {
    const timings = new StageTimings();
    const spin = (ms: number) => {
      const until = process.hrtime.bigint() + BigInt(ms * 1e6);
      while (process.hrtime.bigint() < until);
    };
    function* work(): SlicedWork<string> {
      for (const ms of [2, 30, 2]) {
        yield 100;
        spin(ms);
      }
      return 'done';
    }
    let started = 0;
    const steps = timedSteps(timings, 'abuser', 'validate', work(), () => started++);
    expect(steps.next()).toEqual({ done: false, value: 100 });
    expect(started).toBe(0);
    expect(runToEnd(steps)).toBe('done');
    expect(started).toBe(1);
    const validate = timings.report()['abuser']?.validate;
    expect(validate?.count).toBe(3);
    expect(validate?.maxLoopMs).toBeGreaterThanOrEqual(30);
    expect(validate?.loopMs).toBeGreaterThanOrEqual(34);
    expect(runToEnd(timedSteps(undefined, 't', 'parse', work()))).toBe('done');
  });
});
