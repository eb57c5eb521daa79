import { openHourTilesRead } from './open-hour-coverage.js';

describe('openHourTilesRead', () => {
  const coverage = new Map([[Date.parse('2026-11-19T23:00:00Z'), 47]]);

  it('gives a statement over every endpoint of every service every open-hour tile the listing found', () => {
    expect(openHourTilesRead({ level: 'request', filtered: false }, coverage)).toBe(coverage);
  });

  it('gives none to a statement over per-service rows or over some services or endpoints only', () => {
    expect(openHourTilesRead({ level: 'service', filtered: false }, coverage)).toEqual(new Map());
    expect(openHourTilesRead({ level: 'service', filtered: true }, coverage)).toEqual(new Map());
    expect(openHourTilesRead({ level: 'request', filtered: true }, coverage)).toEqual(new Map());
  });
});
