import { buildProgressLine } from './backfill-progress.js';

describe('buildProgressLine', () => {
  it('shows the bar, partitions done, facts and the rate', () => {
    expect(buildProgressLine(12, 48, 1_204_332, 3_000)).toBe(
      '[########......................] 12/48 partitions  1,204,332 facts  401,444 facts/s',
    );
  });

  it('shows a full bar when there was nothing to do', () => {
    expect(buildProgressLine(0, 0, 0, 0)).toBe(`[${'#'.repeat(30)}] 0/0 partitions  0 facts  0 facts/s`);
  });
});
