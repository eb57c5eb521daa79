import fc from 'fast-check';
import {
  parseChoice,
  parseInteger,
  parseMethod,
  parseRange,
  parseStep,
  parseText,
  parseTime,
  QueryParamError,
} from './query-params.js';

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

const minute = 60_000;
const day = 86_400_000;
/** 2026-11-20T00:00:00Z, and a window of times around it that every reader must accept. */
const t0 = 1_763_596_800_000;
const time = fc.integer({ min: 0, max: 400 * day }).map((offset) => t0 - 200 * day + offset);

describe('parseRange (properties)', () => {
  it('returns whole minutes that cover the asked range, from before to, at most 90 days apart', () => {
    fc.assert(
      fc.property(time, fc.integer({ min: 1, max: 90 * day - 2 * minute }), (from, span) => {
        const range = parseRange({ from: String(from), to: String(from + span) }, t0);
        expect(range.from % minute).toBe(0);
        expect(range.to % minute).toBe(0);
        expect(range.from).toBeLessThanOrEqual(from);
        expect(range.to).toBeGreaterThanOrEqual(from + span);
        expect(range.from).toBeGreaterThan(from - minute);
        expect(range.to).toBeLessThan(from + span + minute);
      }),
    );
  });

  it('refuses a from at or after to however close they are, in one minute or across many', () => {
    fc.assert(
      fc.property(time, fc.integer({ min: 0, max: 3 * day }), (to, back) => {
        const from = to + back;
        expect(() => parseRange({ from: String(from), to: String(to) }, t0)).toThrow(
          new QueryParamError('from', `from must be before to (from=${from}, to=${to})`),
        );
      }),
    );
  });

  it('refuses 12:00:40..12:00:20, reversed inside one minute (rounded outwards it would be a minute long)', () => {
    const from = '2025-11-20T12:00:40Z';
    const to = '2025-11-20T12:00:20Z';
    expect(() => parseRange({ from, to }, t0)).toThrow(
      new QueryParamError('from', `from must be before to (from=${Date.parse(from)}, to=${Date.parse(to)})`),
    );
    expect(parseRange({ from: to, to: from }, t0)).toEqual({
      from: Date.parse('2025-11-20T12:00:00Z'),
      to: Date.parse('2025-11-20T12:01:00Z'),
    });
  });

  it('judges a from without a to against now ceiled to the minute, as before', () => {
    expect(parseRange({ from: String(t0 + 30_000) }, t0 + 10_000)).toEqual({ from: t0, to: t0 + minute });
    expect(() => parseRange({ from: String(t0 + minute) }, t0 + 10_000)).toThrow(
      new QueryParamError('from', `from must be before to (from=${t0 + minute}, to=${t0 + minute})`),
    );
  });

  it('names from when the range is empty, reversed or longer than 90 days', () => {
    expect(() => parseRange({ from: String(t0), to: String(t0) }, t0)).toThrow(
      new QueryParamError('from', `from must be before to (from=${t0}, to=${t0})`),
    );
    expect(() => parseRange({ from: String(t0 + minute), to: String(t0) }, t0)).toThrow(
      new QueryParamError('from', `from must be before to (from=${t0 + minute}, to=${t0})`),
    );
    expect(() => parseRange({ from: String(t0 - 91 * day), to: String(t0) }, t0)).toThrow(
      new QueryParamError(
        'from',
        `the range may span at most 90 days (129600 minutes), got 131040 minutes (from=${t0 - 91 * day}, to=${t0} once rounded to whole minutes)`,
      ),
    );
  });

  it('says by how much a range 1 ms past 90 days is too long, once rounded to whole minutes', () => {
    // 0..90 days + 1 ms is ceiled to 90 days + 1 minute; the message said "at most 90 days, got 90 days".
    expect(() => parseRange({ from: '0', to: String(90 * day + 1) }, t0)).toThrow(
      new QueryParamError(
        'from',
        `the range may span at most 90 days (129600 minutes), got 129601 minutes (from=0, to=${90 * day + minute} once rounded to whole minutes)`,
      ),
    );
    expect(parseRange({ from: '0', to: String(90 * day) }, t0)).toEqual({ from: 0, to: 90 * day });
  });

  it('refuses a parameter given twice, naming it', () => {
    expect(() => parseRange({ from: ['1', '2'] }, t0)).toThrow(
      new QueryParamError('from', 'from must be given once'),
    );
  });
});

describe('parseStep', () => {
  const units = { ms: 1, s: 1000, m: minute, h: 60 * minute, d: day } as const;

  it('reads a whole number of minutes from 1m to 90d in any unit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 90 * 1440 }),
        fc.constantFrom(...Object.keys(units)),
        (minutes, unit) => {
          const perUnit = units[unit as keyof typeof units];
          const ms = minutes * minute;
          fc.pre(ms % perUnit === 0);
          const raw = `${ms / perUnit}${unit === 'ms' ? '' : unit}`;
          expect(parseStep({ step: raw })).toBe(ms);
          expect(parseStep({ step: `${ms / perUnit}${unit}` })).toBe(ms);
        },
      ),
    );
  });

  it.each(['59s', '0', '90001ms', '91d', '1.5m', '-5m', '5 m', '1w', 'm'])(
    "refuses '%s' with one message",
    (raw) => {
      expect(() => parseStep({ step: raw })).toThrow(
        new QueryParamError(
          'step',
          `step must be a whole number of minutes from 1m to 90d (e.g. 60000, 5m, 1h), got '${raw}'`,
        ),
      );
    },
  );
});

describe('parseInteger, parseMethod, parseChoice, parseText', () => {
  it('reads an integer within its bounds and refuses anything else with the bounds named', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 2000 }), (n) => {
        const read = () => parseInteger({ limit: String(n) }, 'limit', 1, 1000);
        if (n >= 1 && n <= 1000) expect(read()).toBe(n);
        else expect(read).toThrow(`limit must be an integer from 1 to 1000, got '${n}'`);
      }),
    );
    expect(() => parseInteger({ limit: '1e2' }, 'limit', 1, 1000)).toThrow(
      "limit must be an integer from 1 to 1000, got '1e2'",
    );
  });

  it('reads a method in any case as its upper-case name and refuses others', () => {
    expect(parseMethod({ method: 'get' })).toBe('GET');
    expect(parseMethod({})).toBeUndefined();
    expect(() => parseMethod({ method: 'BREW' })).toThrow(
      new QueryParamError(
        'method',
        "method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE, CONNECT, got 'BREW'",
      ),
    );
  });

  it('takes only the listed choices, case and all', () => {
    expect(parseChoice({ sort: 'p95' }, 'sort', ['errors', 'p95'])).toBe('p95');
    expect(() => parseChoice({ sort: 'P95' }, 'sort', ['errors', 'p95'])).toThrow(
      new QueryParamError('sort', "sort must be one of errors, p95, got 'P95'"),
    );
  });

  it('refuses text longer than its limit and treats empty text as absent', () => {
    expect(parseText({ path: '' }, 'path')).toBeUndefined();
    expect(parseText({ path: 'x'.repeat(2048) }, 'path')).toBe('x'.repeat(2048));
    expect(() => parseText({ path: 'x'.repeat(2049) }, 'path')).toThrow(
      new QueryParamError('path', 'path must be at most 2048 characters'),
    );
  });

  it('counts characters as code points, as the OpenAPI maxLength does: 128 emoji are a 128-character service', () => {
    expect(parseText({ service: '🚀'.repeat(128) }, 'service', 128)).toBe('🚀'.repeat(128));
    expect(() => parseText({ service: '🚀'.repeat(129) }, 'service', 128)).toThrow(
      new QueryParamError('service', 'service must be at most 128 characters'),
    );
  });
});
