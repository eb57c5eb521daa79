import { firstCommittedHour } from './tenant-snapshot.js';

describe('firstCommittedHour', () => {
  it('is the start of the earliest committed partition, whatever the listing order', () => {
    const partitions = ['2026-11-20/10', '2026-11-19/23', '2026-11-20/00'];
    expect(firstCommittedHour(partitions)).toBe(Date.parse('2026-11-19T23:00:00Z'));
  });

  it('is unknown without a committed partition or with a key it cannot read', () => {
    expect(firstCommittedHour([])).toBeUndefined();
    expect(firstCommittedHour(['not-a-date/xx'])).toBeUndefined();
  });
});
