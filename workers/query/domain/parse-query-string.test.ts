import fc from 'fast-check';
import { checkText } from '../../domain/text-rule.js';
import { parseQueryString } from './parse-query-string.js';
import { QueryParamError } from './query-params.js';

const route = 'GET /api/v1/timeseries';
const allowed = ['service', 'path', 'from', 'to'];

/** Text the API accepts: any well-formed Unicode without control or format characters (the one text rule). */
const text = fc
  .string({ unit: 'grapheme', maxLength: 40 })
  .filter((s) => checkText('text', s, 2048) === undefined);

describe('parseQueryString', () => {
  it('reads back whatever URLSearchParams encodes, for every allowed name', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...allowed), text), (values) => {
        const raw = new URLSearchParams(values).toString();
        expect(parseQueryString(raw, route, allowed)).toEqual(values);
      }),
    );
  });

  it('reads encodeURIComponent output too (%20 and +)', () => {
    expect(parseQueryString('path=%2Fcart%2F%3Aid&service=a+b%20c', route, allowed)).toEqual({
      path: '/cart/:id',
      service: 'a b c',
    });
  });

  it('turns a repeated name into an array, which the single-value readers refuse', () => {
    expect(parseQueryString('from=1&from=2&from=3', route, allowed)).toEqual({ from: ['1', '2', '3'] });
  });

  it('names an unknown parameter and lists what the route takes', () => {
    expect(() => parseQueryString('servcie=a', route, allowed)).toThrow(
      new QueryParamError(
        'servcie',
        `unknown query parameter 'servcie'; ${route} takes service, path, from, to`,
      ),
    );
    expect(() => parseQueryString('x=1', 'GET /api/v1/services', [])).toThrow(
      "unknown query parameter 'x'; GET /api/v1/services takes none",
    );
  });

  it('refuses any unknown name, whatever it is', () => {
    fc.assert(
      fc.property(
        text.filter((n) => n !== '' && !allowed.includes(n)),
        (name) => {
          const raw = `${encodeURIComponent(name)}=1`;
          expect(() => parseQueryString(raw, route, allowed)).toThrow(QueryParamError);
        },
      ),
    );
  });

  it('refuses bad percent-encoding, raw non-ASCII bytes and control characters, naming the parameter', () => {
    expect(() => parseQueryString('service=%E0%A4', route, allowed)).toThrow(
      new QueryParamError('service', 'service must be percent-encoded UTF-8'),
    );
    expect(() => parseQueryString('service=caf\u00e9', route, allowed)).toThrow(
      new QueryParamError('service', 'service must be percent-encoded UTF-8'),
    );
    expect(() => parseQueryString('service=a%00b', route, allowed)).toThrow(
      new QueryParamError('service', 'service must not contain control characters (U+0000 at 1)'),
    );
    expect(() => parseQueryString('service=%ED%A0%80', route, allowed)).toThrow(
      new QueryParamError('service', 'service must be percent-encoded UTF-8'),
    );
  });

  it('refuses a value longer than 2048 characters before reading it', () => {
    expect(() => parseQueryString(`path=${'a'.repeat(2049)}`, route, allowed)).toThrow(
      new QueryParamError('path', 'path must be at most 2048 characters'),
    );
  });

  it('never throws anything but a QueryParamError, whatever the query string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (raw) => {
        try {
          parseQueryString(raw, route, allowed);
        } catch (error) {
          expect(error).toBeInstanceOf(QueryParamError);
        }
      }),
    );
  });
});
