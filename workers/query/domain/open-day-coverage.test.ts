import { openDayTileTables, type OpenDayTileTable } from '../../domain/metrics-layout.js';
import { chooseOpenDayCoverage } from './open-day-coverage.js';

/** The etag a coverage's tiles join to: one per open-day tile table. */
const joined = (etag: string) => openDayTileTables.map(() => etag).join('/');

const listed = (
  date: string,
  hours: number,
  tables: readonly OpenDayTileTable[] = openDayTileTables,
  etag = 'e',
) => tables.map((table) => ({ table, date, hours, etag: `${etag}${hours}` }));

describe('chooseOpenDayCoverage', () => {
  it('takes per date the largest coverage all the open-day tiles have, named by their etags', () => {
    const tiles = [...listed('2026-11-20', 8), ...listed('2026-11-20', 9), ...listed('2026-11-19', 23)];
    expect(chooseOpenDayCoverage(tiles)).toEqual(
      new Map([
        ['2026-11-20', { hours: 9, etag: joined('e9') }],
        ['2026-11-19', { hours: 23, etag: joined('e23') }],
      ]),
    );
  });

  it('skips a coverage the rollup is still writing, and a date none of whose coverages is complete', () => {
    const midBuild = [...listed('2026-11-20', 8), ...listed('2026-11-20', 9, openDayTileTables.slice(0, -1))];
    expect(chooseOpenDayCoverage(midBuild).get('2026-11-20')).toEqual({ hours: 8, etag: joined('e8') });
    expect(chooseOpenDayCoverage(listed('2026-11-20', 9, openDayTileTables.slice(1))).size).toBe(0);
  });
});
