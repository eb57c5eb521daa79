import { openHourTilesRead } from './open-hour-coverage.js';

describe('openHourTilesRead', () => {
  const coverage = new Map([[Date.parse('2026-11-19T23:00:00Z'), 47]]);

  it('gives per-endpoint statements every open-hour tile the listing found', () => {
    expect(openHourTilesRead('request', coverage)).toBe(coverage);
  });

  it('gives per-service statements none: their open hour is read from minute rows', () => {
    expect(openHourTilesRead('service', coverage)).toEqual(new Map());
  });
});
