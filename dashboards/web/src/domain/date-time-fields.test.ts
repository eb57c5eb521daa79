import { fromDateTimeFields, toDateTimeFields, zoneLabel } from './date-time-fields.js';

describe('date and 24-hour time fields', () => {
  it('shows and reads a UTC instant on a 24-hour clock', () => {
    const ms = Date.parse('2026-11-30T23:30:00Z');
    expect(toDateTimeFields(ms, 'utc')).toEqual({ date: '2026-11-30', time: '23:30' });
    expect(fromDateTimeFields({ date: '2026-11-30', time: '23:30' }, 'utc')).toBe(ms);
  });

  it('refuses a 12-hour time, an impossible time and a rolled-over date', () => {
    expect(fromDateTimeFields({ date: '2026-11-30', time: '2:05 PM' }, 'utc')).toBeNull();
    expect(fromDateTimeFields({ date: '2026-11-30', time: '24:00' }, 'utc')).toBeNull();
    expect(fromDateTimeFields({ date: '2026-02-31', time: '10:00' }, 'utc')).toBeNull();
  });

  it('names the zone the page shows', () => {
    expect(zoneLabel('utc', 'Europe/Berlin')).toBe('Times in UTC');
    expect(zoneLabel('local', 'Europe/Berlin')).toBe('Times in local time (Europe/Berlin)');
  });
});
