import { parseRfc3339 } from './rfc3339.js';

describe('parseRfc3339', () => {
  it('reads UTC and offset times to the millisecond, as Date.parse does for them', () => {
    for (const text of [
      '2026-12-02T09:30:00Z',
      '2026-12-02T09:30:00.1Z',
      '2026-12-02T09:30:00.123+01:00',
      '2026-12-02T09:30:00.57-05:30',
      '2024-02-29T23:59:59.999Z',
      '1970-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      expect(parseRfc3339(text)).toBe(Date.parse(text));
    }
  });

  it('takes the lower-case and space separators RFC 3339 allows', () => {
    expect(parseRfc3339('2026-12-02t09:30:00z')).toBe(Date.parse('2026-12-02T09:30:00Z'));
    expect(parseRfc3339('2026-12-02 09:30:00Z')).toBe(Date.parse('2026-12-02T09:30:00Z'));
  });

  it('truncates fractions below a millisecond', () => {
    expect(parseRfc3339('2026-12-02T09:30:00.123999999Z')).toBe(Date.parse('2026-12-02T09:30:00.123Z'));
  });

  it('keeps years before 100 (Date.UTC would move them to the 1900s)', () => {
    expect(parseRfc3339('0001-01-01T00:00:00Z')).toBe(-62135596800000);
  });

  it('refuses what Date.parse takes but RFC 3339 does not', () => {
    for (const text of ['-1', '2024', '2024-01-01', 'Tue, 01 Jan 2024 00:00:00 GMT', '2024-01-01T00:00Z'])
      expect(parseRfc3339(text)).toBeUndefined();
  });

  it('refuses dates and times that do not exist instead of rolling them over', () => {
    for (const text of [
      '2023-02-29T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-12-02T24:00:00Z',
      '2026-12-02T23:60:00Z',
      '2026-12-31T23:59:60Z',
      '2026-12-02T09:30:00+24:00',
      '2026-12-02T09:30:00+01:60',
    ])
      expect(parseRfc3339(text)).toBeUndefined();
  });
});
