import { buildCompareFigures } from './compare-figures.js';

const totals = (requests: number, errors5xx: number, p: [number, number, number]) => ({
  requests,
  errors5xx,
  errorRate: requests > 0 ? errors5xx / requests : null,
  p50: p[0],
  p95: p[1],
  p99: p[2],
});

describe('buildCompareFigures', () => {
  it('gives every series a number and its change against the earlier range', () => {
    const figures = buildCompareFigures(
      totals(1200, 60, [20, 150, 400]),
      totals(1000, 10, [20, 100, 500]),
      '1d',
    );
    expect(
      figures.map((f) => [f.name, f.value, f.change.text, f.change.direction, f.change.significant]),
    ).toEqual([
      ['Requests', '1,200', '+20% vs the day before', 'better', true],
      ['Error rate', '5.0%', '+4 pp vs the day before', 'worse', true],
      ['P50', '20 ms', '±0% vs the day before', 'same', false],
      ['P95', '150 ms', '+50% vs the day before', 'worse', true],
      ['P99', '400 ms', '−20% vs the day before', 'better', true],
    ]);
  });

  it('colours nothing on too few requests, and says – when the earlier range had none', () => {
    const few = buildCompareFigures(totals(20, 2, [10, 900, 900]), totals(20, 0, [10, 100, 100]), '7d');
    expect(few.find((f) => f.name === 'P95')!.change).toEqual({
      text: '+800% vs the week before',
      direction: 'worse',
      significant: false,
    });
    const empty = buildCompareFigures(totals(20, 2, [10, 90, 90]), totals(0, 0, [0, 0, 0]), '7d');
    expect(empty.map((f) => f.change.text)).toEqual(['–', '–', '–', '–', '–']);
  });
});
