import { formatCount, formatLatency, formatPercent, formatThroughput } from './format.js';

describe('formatCount', () => {
  it('groups thousands and compacts millions', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234)).toBe('1,234');
    expect(formatCount(12_345_678)).toBe('12.3M');
  });
});

describe('formatPercent', () => {
  it('keeps small non-zero rates visible and shows a dash for no data', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.0004)).toBe('0.04%');
    expect(formatPercent(0.0512)).toBe('5.1%');
    expect(formatPercent(0.25)).toBe('25%');
    expect(formatPercent(null)).toBe('–');
  });
});

describe('formatLatency', () => {
  it('uses ms below a second and seconds above', () => {
    expect(formatLatency(3.456)).toBe('3.46 ms');
    expect(formatLatency(42.26)).toBe('42.3 ms');
    expect(formatLatency(250.4)).toBe('250 ms');
    expect(formatLatency(1250)).toBe('1.25 s');
    expect(formatLatency(null)).toBe('–');
  });

  it('keeps sub-millisecond latencies readable instead of rounding them to 0 ms', () => {
    expect(formatLatency(0)).toBe('0 ms');
    expect(formatLatency(0.25)).toBe('250 µs');
    expect(formatLatency(0.0123456)).toBe('12.3 µs');
    expect(formatLatency(0.0004)).toBe('400 ns');
    expect(formatLatency(0.000000412)).toBe('0.412 ns');
    expect(formatLatency(1e-12)).toBe('0.000001 ns');
  });
});

describe('formatThroughput', () => {
  it('shows requests per second with precision that fits the magnitude', () => {
    expect(formatThroughput(0.0166)).toBe('0.017 req/s');
    expect(formatThroughput(12.34)).toBe('12.3 req/s');
    expect(formatThroughput(1500)).toBe('1,500 req/s');
  });
});
