import type { MetricsQuery } from '../app/query-engine.js';
import { buildClosedRangeKey, splitClosedRange } from './closed-range.js';

const hour = 3_600_000;
const now = Date.parse('2026-11-21T12:30:00Z');
const openHour = Date.parse('2026-11-21T12:00:00Z');

describe('splitClosedRange', () => {
  it('caches everything before the current hour and sends the current hour to the engine', () => {
    const query = { from: openHour - 7 * 24 * hour, to: now + 60_000, groupBy: 'endpoint' as const };
    expect(splitClosedRange(query, now)).toEqual({
      closed: { from: query.from, to: openHour },
      open: { from: openHour, to: query.to },
    });
  });

  it('splits a step series on a step boundary at or before the current hour', () => {
    const from = openHour - 10 * hour;
    const query = { from, to: now + 60_000, groupBy: 'step' as const, stepMs: 3 * hour };
    expect(splitClosedRange(query, now)).toEqual({
      closed: { from, to: from + 9 * hour },
      open: { from: from + 9 * hour, to: query.to },
    });
  });

  it('keeps a range that ended before the current hour whole, and one inside it entirely open', () => {
    expect(splitClosedRange({ from: 0, to: hour, groupBy: 'service' }, now)).toEqual({
      closed: { from: 0, to: hour },
    });
    expect(splitClosedRange({ from: openHour + 60_000, to: now, groupBy: 'service' }, now)).toEqual({
      open: { from: openHour + 60_000, to: now },
    });
  });
});

describe('buildClosedRangeKey', () => {
  const query: MetricsQuery = { tenant: 't', from: openHour - 3 * hour, to: openHour, groupBy: 'endpoint' };
  const range = { from: query.from, to: query.to };
  const committed = {
    manifests: new Map([
      ['2026-11-21/09', 'a'],
      ['2026-11-21/10', 'b'],
    ]),
    dayTiles: new Map<string, string>(),
    hourTiles: new Map<string, string>(),
    quarterTiles: new Map<string, string>(),
    openDays: new Map<string, { hours: number; etag: string }>(),
  };

  it('changes when a covering manifest is committed again (late data), appears, or a day, day-hours, quarter-hour or open-day tile changes', () => {
    const key = buildClosedRangeKey('counts', query, range, committed);
    expect(buildClosedRangeKey('counts', query, range, committed)).toBe(key);
    const late = { ...committed, manifests: new Map([...committed.manifests, ['2026-11-21/10', 'c']]) };
    const appeared = { ...committed, manifests: new Map([...committed.manifests, ['2026-11-21/11', 'd']]) };
    const tile = { ...committed, dayTiles: new Map([['2026-11-21', 'e']]) };
    const hourTile = { ...committed, hourTiles: new Map([['2026-11-21', 'f/g']]) };
    const quarterTile = { ...committed, quarterTiles: new Map([['2026-11-21', 'q/r']]) };
    const openDay = { ...committed, openDays: new Map([['2026-11-21', { hours: 9, etag: 'h/i/j' }]]) };
    const openDayLater = { ...committed, openDays: new Map([['2026-11-21', { hours: 10, etag: 'h/i/j' }]]) };
    const openDayRebuilt = { ...committed, openDays: new Map([['2026-11-21', { hours: 9, etag: 'h/i/k' }]]) };
    const keys = [openDay, openDayLater, openDayRebuilt].map((c) =>
      buildClosedRangeKey('counts', query, range, c),
    );
    expect(new Set(keys).size).toBe(3);
    for (const other of [late, appeared, tile, hourTile, quarterTile, openDay]) {
      expect(buildClosedRangeKey('counts', query, range, other)).not.toBe(key);
    }
  });

  it('ignores manifests outside the range and differs per filter and kind', () => {
    const key = buildClosedRangeKey('counts', query, range, committed);
    const outside = { ...committed, manifests: new Map([...committed.manifests, ['2026-11-21/12', 'z']]) };
    expect(buildClosedRangeKey('counts', query, range, outside)).toBe(key);
    expect(buildClosedRangeKey('histograms', query, range, committed)).not.toBe(key);
    expect(buildClosedRangeKey('counts', { ...query, service: 'x' }, range, committed)).not.toBe(key);
  });
});
