import type { ObjectInfo } from '../../adapters/object-store/object-store.js';
import {
  buildManifestKey,
  buildOpenHourMarkerKey,
  buildOpenHourTileKey,
  parseOpenHourMarkerKey,
} from '../../domain/metrics-layout.js';
import {
  closedMinutesOfOpenHour,
  openHourTileGraceMs,
  planOpenHourTiles,
  type OpenHourTilePolicy,
} from './open-hour-tile-plan.js';

const m = 60_000;
const h = 60 * m;
const hour = { tenant: 'acme', date: '2026-11-20', hour: '10' };
const hourStart = Date.parse('2026-11-20T10:00:00Z');
const policy = (nowMs: number): OpenHourTilePolicy => ({ nowMs, latenessMs: 5 * m });
const object = (key: string, etag = 'e1'): ObjectInfo => ({ key, etag, size: 1 }) as ObjectInfo;
const manifest = (etag = 'e1', p = hour) => object(buildManifestKey(p), etag);

describe('closedMinutesOfOpenHour', () => {
  it('counts the minutes whose end and lateness are past, and none for an hour not begun or closed', () => {
    expect(closedMinutesOfOpenHour(hourStart, policy(hourStart + 52 * m + 40_000))).toBe(47);
    expect(closedMinutesOfOpenHour(hourStart, policy(hourStart + 5 * m + 59_999))).toBe(0);
    expect(closedMinutesOfOpenHour(hourStart, policy(hourStart + 6 * m))).toBe(1);
    expect(closedMinutesOfOpenHour(hourStart, policy(hourStart + h + 4 * m))).toBe(59);
    // Closed: its hour row serves whole-hour ranges.
    expect(closedMinutesOfOpenHour(hourStart, policy(hourStart + h + 5 * m))).toBe(0);
  });
});

describe('planOpenHourTiles', () => {
  it('builds the open hour once per manifest generation and coverage, marked by what it was built from', () => {
    const now = hourStart + 52 * m;
    const first = planOpenHourTiles([manifest()], [], [], policy(now));
    expect(first.builds).toHaveLength(1);
    expect(first.builds[0]).toMatchObject({ partition: hour, minutes: 47, previousMarkers: [] });
    const marker = object(first.builds[0]!.marker);
    expect(parseOpenHourMarkerKey(marker.key)?.partition).toEqual(hour);
    // Built: nothing to do until the manifest changes (late data) or a minute closes.
    expect(planOpenHourTiles([manifest()], [marker], [], policy(now)).builds).toEqual([]);
    const late = planOpenHourTiles([manifest('e2')], [marker], [], policy(now)).builds;
    expect(late.map((b) => [b.minutes, b.previousMarkers])).toEqual([[47, [marker.key]]]);
    expect(late[0]!.marker).not.toBe(marker.key);
    const later = planOpenHourTiles([manifest()], [marker], [], policy(now + m)).builds;
    expect(later.map((b) => b.minutes)).toEqual([48]);
  });

  it('builds nothing for closed hours or an hour whose first minute has not closed', () => {
    const older = { ...hour, hour: '09' };
    expect(planOpenHourTiles([manifest('e1', older)], [], [], policy(hourStart + 30 * m)).builds).toEqual([]);
    expect(planOpenHourTiles([manifest()], [], [], policy(hourStart + 3 * m)).builds).toEqual([]);
  });

  it('keeps the two largest coverages of an open hour and deletes every tile and marker of an hour closed past the grace', () => {
    const tiles = [30, 46, 47].flatMap((minutes) => [
      object(buildOpenHourTileKey(hour, minutes, 'request_metrics_open_hour')),
      object(buildOpenHourTileKey(hour, minutes, 'service_metrics_open_hour')),
    ]);
    const marker = object(buildOpenHourMarkerKey(hour, 'a'.repeat(64)));
    const open = planOpenHourTiles([], [marker], tiles, policy(hourStart + 52 * m));
    expect(open.deletes.sort()).toEqual(
      tiles
        .slice(0, 2)
        .map((t) => t.key)
        .sort(),
    );
    const closedAt = hourStart + h + 5 * m;
    expect(
      planOpenHourTiles([], [marker], tiles, policy(closedAt + openHourTileGraceMs - 1)).deletes,
    ).toHaveLength(2);
    const gone = planOpenHourTiles([], [marker], tiles, policy(closedAt + openHourTileGraceMs));
    expect(gone.deletes.sort()).toEqual([...tiles.map((t) => t.key), marker.key].sort());
  });
});
