import { minutesToEvaluate } from './committed-horizon.js';

const minute = 60_000;
const t0 = Date.UTC(2026, 11, 1, 14, 0);
const offsets = (minutes: number[]) => minutes.map((m) => (m - t0) / minute);

describe('which minutes the evaluator judges', () => {
  it('judges a new rule from its for back, the newest minute last', () => {
    expect(offsets(minutesToEvaluate(null, t0 + 10 * minute, 10, 3))).toEqual([7, 8, 9]);
    expect(offsets(minutesToEvaluate(null, t0 + 10 * minute, 10))).toEqual([9]);
  });

  it('never reaches further back for a new rule than the catch-up allows', () => {
    expect(offsets(minutesToEvaluate(null, t0 + 10 * minute, 2, 15))).toEqual([8, 9]);
  });

  it('resumes after the saved minute whatever the rule`s for, at most the catch-up', () => {
    expect(offsets(minutesToEvaluate(t0 + 7 * minute, t0 + 10 * minute, 10, 5))).toEqual([8, 9]);
    expect(offsets(minutesToEvaluate(t0, t0 + 30 * minute, 3, 5))).toEqual([27, 28, 29]);
    expect(minutesToEvaluate(t0 + 9 * minute, t0 + 10 * minute, 10, 5)).toEqual([]);
  });
});
