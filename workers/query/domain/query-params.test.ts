import { parseRange, parseTime, QueryParamError } from './query-params.js';

describe('parseTime', () => {
  it('reads ms since epoch and RFC 3339 date-times', () => {
    expect(parseTime({ from: '1764667800000' }, 'from')).toBe(1764667800000);
    expect(parseTime({ from: '2025-12-02T09:30:00Z' }, 'from')).toBe(1764667800000);
    expect(parseTime({ from: '2025-12-02T10:30:00+01:00' }, 'from')).toBe(1764667800000);
  });

  it('treats an empty value as absent', () => {
    expect(parseTime({ from: '' }, 'from')).toBeUndefined();
  });

  it.each(['-1', '2024-01-01', 'Tue, 01 Jan 2024 00:00:00 GMT', '2026-02-30T00:00:00Z', '1e3'])(
    "refuses '%s', which Date.parse would have read as some time",
    (raw) => {
      expect(() => parseTime({ to: raw }, 'to')).toThrow(
        new QueryParamError('to', `to must be ms since epoch or an RFC 3339 time, got '${raw}'`),
      );
    },
  );

  it('refuses times before 1970 and after 9999', () => {
    expect(() => parseTime({ to: '0001-01-01T00:00:00Z' }, 'to')).toThrow(
      "to must be a time from 1970-01-01 to 9999-12-31, got '0001-01-01T00:00:00Z'",
    );
    expect(() => parseTime({ to: '253402300800000' }, 'to')).toThrow(
      "to must be a time from 1970-01-01 to 9999-12-31, got '253402300800000'",
    );
  });
});

describe('parseRange', () => {
  it('defaults to the hour before now, in whole minutes', () => {
    expect(parseRange({}, 1764667830000)).toEqual({ from: 1764664260000, to: 1764667860000 });
  });
});
