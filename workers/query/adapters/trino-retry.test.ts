import { trinoRetryDelayMs } from './trino-query-engine.js';

describe('which failed Trino statements run again', () => {
  it('runs a statement again after a replaced data file, at once, three times at most', () => {
    for (const name of ['HIVE_CANNOT_OPEN_SPLIT', 'HIVE_BAD_DATA']) {
      expect([1, 2, 3, 4].map((attempt) => trinoRetryDelayMs(name, attempt))).toEqual([0, 0, 0, undefined]);
    }
  });

  it('waits out a just started Trino that places no split yet, past its 5 s node map refresh', () => {
    const delays = Array.from({ length: 9 }, (_, i) => trinoRetryDelayMs('NO_NODES_AVAILABLE', i + 1));
    const waited = delays.filter((d): d is number => d !== undefined).reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan(5_000);
    expect(delays.at(-1)).toBeUndefined();
  });

  it('gives up at once on every other error: a wrong statement does not run twice', () => {
    for (const name of ['SYNTAX_ERROR', 'EXCEEDED_TIME_LIMIT', 'USER_CANCELED', 'TABLE_NOT_FOUND', '']) {
      expect(trinoRetryDelayMs(name, 1)).toBeUndefined();
    }
  });
});
