import type { ObjectInfo } from '../../adapters/object-store/object-store.js';
import { buildManifestKey, buildOpenHourTileKey } from '../../domain/metrics-layout.js';
import { buildOpenHourMarkerKey, parseOpenHourMarkerKey } from '../../domain/metrics-markers.js';
import {
  listOpenHourCandidates,
  closedMinutesOfOpenHour,
  openHourTileGraceMs,
  planOpenHourTiles,
  type OpenHourTilePolicy,
  type ReadHourManifest,
} from './open-hour-tile-plan.js';

const m = 60_000;
const h = 60 * m;
const hour = { tenant: 'acme', date: '2026-11-20', hour: '10' };
const hourStart = Date.parse('2026-11-20T10:00:00Z');
const policy = (nowMs: number): OpenHourTilePolicy => ({ nowMs, latenessMs: 5 * m });
const object = (key: string, etag = 'e1'): ObjectInfo => ({ key, etag, size: 1 }) as ObjectInfo;
const manifest = (etag = 'e1', p = hour) => object(buildManifestKey(p), etag);
const openHourTables = ['request_metrics_open_hour', 'service_metrics_open_hour'] as const;

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
    expect(open.expired).toEqual([]);
    expect(open.superseded.sort()).toEqual(
      tiles
        .slice(0, 2)
        .map((t) => t.key)
        .sort(),
    );
    const closedAt = hourStart + h + 5 * m;
    const within = planOpenHourTiles([], [marker], tiles, policy(closedAt + openHourTileGraceMs - 1));
    expect([within.superseded.length, within.expired.length]).toEqual([2, 0]);
    const gone = planOpenHourTiles([], [marker], tiles, policy(closedAt + openHourTileGraceMs));
    expect(gone.superseded).toEqual([]);
    expect(gone.expired.sort()).toEqual([...tiles.map((t) => t.key), marker.key].sort());
  });
});

describe('planOpenHourTiles keyed on the covered minutes (docs/adr/0132)', () => {
  const now = hourStart + 52 * m;
  const digests = (changed: Record<number, string> = {}) =>
    Array.from({ length: 60 }, (_, i) => changed[i] ?? (i < 50 ? `d${i}` : ''));
  const read = (etag: string, minuteDigests: string[] | undefined, published = true) =>
    new Map<string, ReadHourManifest>([
      [manifest(etag).key, { etag, published, ...(minuteDigests && { minuteDigests }) }],
    ]);
  const buildsOf = (
    etag: string,
    d: string[] | undefined,
    markers: ObjectInfo[],
    at = now,
    published = true,
  ) => planOpenHourTiles([manifest(etag)], markers, [], policy(at), read(etag, d, published)).builds;

  it('builds again only when a covered minute or the coverage changed, not on a commit into minutes still open', () => {
    const [first] = buildsOf('e1', digests(), []);
    const marker = [object(first!.marker)];
    expect(buildsOf('e1', digests(), marker)).toEqual([]);
    // A new generation (new etag) whose facts all fell in minutes 47-59: the 47-minute tile would be the same.
    expect(buildsOf('e2', digests({ 47: 'x', 55: 'y' }), marker)).toEqual([]);
    // A late fact in minute 5, a covered one.
    expect(buildsOf('e3', digests({ 5: 'late' }), marker).map((b) => b.minutes)).toEqual([47]);
    // The minute boundary moved.
    expect(buildsOf('e1', digests(), marker, now + m).map((b) => b.minutes)).toEqual([48]);
  });

  it('keys a manifest without minute digests (sealed, or older) on its etag, and builds nothing from one unpublished', () => {
    const [first] = buildsOf('e1', undefined, []);
    expect(buildsOf('e1', undefined, [object(first!.marker)])).toEqual([]);
    expect(buildsOf('e2', undefined, [object(first!.marker)])).toHaveLength(1);
    expect(buildsOf('e2', digests(), [], now, false)).toEqual([]);
  });

  it("rebuilds a closed hour's largest tile within the grace when its manifest changed, so no plan reads it stale", () => {
    const tiles = [46, 47].flatMap((minutes) =>
      openHourTables.map((table) => object(buildOpenHourTileKey(hour, minutes, table))),
    );
    const closed = policy(hourStart + h + 5 * m + 3 * m);
    expect(listOpenHourCandidates([manifest('e1')], tiles, closed).map((c) => c.minutes)).toEqual([47]);
    const [late] = planOpenHourTiles([manifest('e2')], [], tiles, closed).builds;
    expect(late).toMatchObject({ partition: hour, minutes: 47 });
    const marked = planOpenHourTiles([manifest('e2')], [object(late!.marker)], tiles, closed);
    expect(marked.builds).toEqual([]);
    // Without tiles listed there is nothing a plan could read stale; past the grace they are deleted instead.
    expect(planOpenHourTiles([manifest('e2')], [], [], closed).builds).toEqual([]);
    const gone = policy(hourStart + h + 5 * m + openHourTileGraceMs);
    expect(planOpenHourTiles([manifest('e2')], [], tiles, gone).builds).toEqual([]);
  });
});
