import type { ObjectInfo } from '../../adapters/object-store/object-store.js';
import { buildManifestKey, buildOpenDayTileKey, openDayTileTables } from '../../domain/metrics-layout.js';
import { buildDayMarkerKey } from '../../domain/metrics-markers.js';
import { closedHoursOfOpenDay, openDayTileGraceMs, planOpenDayTiles } from './open-day-tile-plan.js';

const h = 3_600_000;
const m = 60_000;
const day = Date.parse('2026-11-20T00:00:00Z');
const policy = { nowMs: day + 9 * h + 20 * m, latenessMs: 10 * m };
const object = (key: string, etag = 'e1'): ObjectInfo => ({ key, etag, size: 1 });
const manifest = (hour: number, etag = 'e1', date = '2026-11-20') =>
  object(buildManifestKey({ tenant: 'acme', date, hour: String(hour).padStart(2, '0') }), etag);
const tiles = (hours: number, date = '2026-11-20') =>
  openDayTileTables.map((t) => object(buildOpenDayTileKey('acme', date, hours, t)));

describe('closedHoursOfOpenDay', () => {
  it('counts the hours whose end and lateness are past, up to 23, and none once the day is closed', () => {
    expect(closedHoursOfOpenDay('2026-11-20', policy)).toBe(9);
    expect(closedHoursOfOpenDay('2026-11-20', { ...policy, nowMs: day + 9 * h + 9 * m })).toBe(8);
    expect(closedHoursOfOpenDay('2026-11-20', { ...policy, nowMs: day + 5 * m })).toBe(0);
    expect(closedHoursOfOpenDay('2026-11-20', { ...policy, nowMs: day + 24 * h + 9 * m })).toBe(23);
    expect(closedHoursOfOpenDay('2026-11-20', { ...policy, nowMs: day + 24 * h + 10 * m })).toBe(0);
    expect(closedHoursOfOpenDay('2026-11-21', policy)).toBe(0);
  });
});

describe('planOpenDayTiles', () => {
  const hours = [0, 3, 8, 9].map((hour) => manifest(hour));

  it('builds the open day over the manifests of its closed hours only, once per marker', () => {
    const { builds } = planOpenDayTiles(hours, [], [], policy);
    expect(builds).toHaveLength(1);
    expect(builds[0]).toMatchObject({ tenant: 'acme', date: '2026-11-20', hours: 9, previousMarkers: [] });
    expect(builds[0]!.manifests.map((x) => x.key)).toEqual(hours.slice(0, 3).map((x) => x.key));
    const marker = object(builds[0]!.marker);
    expect(planOpenDayTiles(hours, [marker], tiles(9), policy).builds).toEqual([]);
  });

  it('builds again when a covered hour is committed again or another hour closes, but not for the open hour', () => {
    const [first] = planOpenDayTiles(hours, [], [], policy).builds;
    const marker = object(first!.marker);
    const late = [manifest(0), manifest(3, 'e2'), manifest(8), manifest(9)];
    const [rebuilt] = planOpenDayTiles(late, [marker], tiles(9), policy).builds;
    expect(rebuilt).toMatchObject({ hours: 9, previousMarkers: [marker.key] });
    expect(rebuilt!.marker).not.toBe(marker.key);
    const openHour = [...hours.slice(0, 3), manifest(9, 'e9')];
    expect(planOpenDayTiles(openHour, [marker], tiles(9), policy).builds).toEqual([]);
    const later = { ...policy, nowMs: policy.nowMs + h };
    expect(planOpenDayTiles(hours, [marker], tiles(9), later).builds[0]).toMatchObject({ hours: 10 });
  });

  it('keeps the two largest coverages of an open day and every tile of a closed day until its grace is over', () => {
    const listed = [...tiles(7), ...tiles(8), ...tiles(9)];
    expect(planOpenDayTiles(hours, [], listed, policy).deletes).toEqual(tiles(7).map((t) => t.key));
    const closed = day + 24 * h + policy.latenessMs;
    const within = { ...policy, nowMs: closed + openDayTileGraceMs - 1 };
    expect(planOpenDayTiles([], [], tiles(23), within).deletes).toEqual([]);
    const after = { ...policy, nowMs: closed + openDayTileGraceMs };
    expect(planOpenDayTiles([], [], tiles(23), after).deletes).toEqual(tiles(23).map((t) => t.key));
  });

  it('builds nothing for closed days, days without a closed hour or hours without a manifest', () => {
    const yesterday = [manifest(5, 'e1', '2026-11-19')];
    expect(planOpenDayTiles(yesterday, [], [], policy).builds).toEqual([]);
    expect(planOpenDayTiles([manifest(9)], [], [], policy).builds).toEqual([]);
    const early = { ...policy, nowMs: day + 5 * m };
    expect(planOpenDayTiles([manifest(0)], [], [], early).builds).toEqual([]);
    expect(buildDayMarkerKey('acme', '2026-11-20', 'a'.repeat(64))).toContain('_manifests_day');
  });
});
