import { formatInstant, formatTimeTick, linearScale, niceTicks, timeTicks } from './scale.js';

describe('linearScale', () => {
  it('maps the domain onto the range, inverted for SVG y', () => {
    const y = linearScale([0, 100], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(25)).toBe(150);
    expect(y(100)).toBe(0);
  });
});

describe('niceTicks', () => {
  it('covers the maximum with round steps', () => {
    expect(niceTicks(87)).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(0.043)).toEqual([0, 0.02, 0.04, 0.06]);
    expect(niceTicks(1000)).toEqual([0, 250, 500, 750, 1000]);
  });

  it('gives a 0..1 axis when there is no data', () => {
    expect(niceTicks(0)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});

describe('timeTicks', () => {
  it('picks a round interval aligned to it', () => {
    const from = Date.UTC(2026, 0, 1, 10, 7);
    expect(timeTicks(from, from + 60 * 60_000)).toEqual([
      Date.UTC(2026, 0, 1, 10, 15),
      Date.UTC(2026, 0, 1, 10, 30),
      Date.UTC(2026, 0, 1, 10, 45),
      Date.UTC(2026, 0, 1, 11, 0),
    ]);
  });
});

describe('formatTimeTick', () => {
  it('shows time of day for short spans and dates for long ones', () => {
    const t = Date.UTC(2026, 0, 5, 9, 30);
    expect(formatTimeTick(t, 3_600_000, 'UTC')).toBe('09:30');
    expect(formatTimeTick(t, 7 * 86_400_000, 'UTC')).toBe('5 Jan');
    expect(formatInstant(t, 'UTC')).toBe('5 Jan 2026, 09:30');
  });
});
