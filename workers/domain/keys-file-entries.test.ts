import { hashApiKey, parseApiKeys } from './api-keys.js';
import { KeyRing } from './key-ring.js';
import { listFileKeys } from './managed-keys.js';

const entry = (name: string, secret: string, extra: Record<string, unknown> = {}) => ({
  name,
  tenant: 'acme',
  sha256: hashApiKey(secret),
  ...extra,
});
const file = (...keys: object[]) => JSON.stringify({ keys });

describe('the keys file: one entry per key name, one key per digest', () => {
  it('refuses a version naming one key of a tenant twice, in any case, naming both entries', () => {
    expect(() => parseApiKeys(file(entry('ci', 's1'), entry('reader', 's2'), entry('CI', 's3')))).toThrow(
      'API keys file is invalid: keys.2.name: "CI" of tenant acme is also keys.0\'s name (names are compared ' +
        'without case; to rotate a key keep one entry and list the old sha256 under previous)',
    );
  });

  it('lets two tenants each have a key of one name', () => {
    const keys = parseApiKeys(file(entry('ci', 's1'), { ...entry('ci', 's2'), tenant: 'globex' }));
    expect(keys.map((k) => [k.tenant, k.id])).toEqual([
      ['acme', 'file:ci'],
      ['globex', 'file:ci'],
    ]);
  });

  it('refuses a digest listed twice, even under another tenant or as a previous digest', () => {
    const twice = file(entry('ci', 's1'), { ...entry('ops', 's1'), tenant: 'globex' });
    expect(() => parseApiKeys(twice)).toThrow(
      'API keys file is invalid: keys.1.sha256: is the same digest as keys.0.sha256 (one key opens one entry)',
    );
    const asPrevious = file(
      entry('ci', 's1'),
      entry('ops', 's2', { previous: [{ sha256: hashApiKey('s1'), notAfter: '2026-12-03T20:00:00Z' }] }),
    );
    expect(() => parseApiKeys(asPrevious)).toThrow(
      'keys.1.previous.0.sha256: is the same digest as keys.0.sha256',
    );
  });

  it('reports a bad time with its path and the value', () => {
    expect(() => parseApiKeys(file(entry('ci', 's1', { notAfter: 'tomorrow' })))).toThrow(
      'API keys file is invalid: keys.0.notAfter: must be an RFC 3339 time, got "tomorrow"',
    );
    expect(() => parseApiKeys(file(entry('ci', 's1', { previous: [{ sha256: hashApiKey('s0') }] })))).toThrow(
      'keys.0.previous.0.notAfter',
    );
  });
});

describe('the keys file: a rotation by file has an overlap window, as the API rotation has', () => {
  const until = Date.parse('2026-12-03T20:00:00Z');
  const rotated = file(
    entry('ci', 'new', { previous: [{ sha256: hashApiKey('old'), notAfter: '2026-12-03T20:00:00Z' }] }),
  );

  it('accepts the old and the new secret as one key until the previous notAfter, then only the new', () => {
    const ring = new KeyRing(parseApiKeys(rotated));
    for (const secret of ['old', 'new'])
      expect(ring.lookup(secret, until - 1)).toMatchObject({ entry: { id: 'file:ci', name: 'ci' } });
    expect(ring.lookup('old', until)).toMatchObject({ refused: 'expired' });
    expect(ring.lookup('new', until)).toMatchObject({ entry: { id: 'file:ci' } });
  });

  it('lists the key once, whichever secret its clients use, with the end of its overlap while it lasts', () => {
    const view = { id: 'file:ci', name: 'ci', scopes: ['ingest', 'query'], source: 'file', lastUsedAt: null };
    const listed = listFileKeys(parseApiKeys(rotated), 'acme', new Map(), until - 1);
    expect(listed).toEqual([{ ...view, expiresAt: null, previousUntil: until }]);
    expect(listFileKeys(parseApiKeys(rotated), 'acme', new Map(), until)).toEqual([
      { ...view, expiresAt: null, previousUntil: null },
    ]);
  });

  it("refuses an entry's key from its own notAfter, and an old secret never outlives it", () => {
    const ends = file(
      entry('ci', 'new', {
        notAfter: '2026-12-03T19:00:00+00:00',
        previous: [{ sha256: hashApiKey('old'), notAfter: '2026-12-03T20:00:00Z' }],
      }),
    );
    const ring = new KeyRing(parseApiKeys(ends));
    const end = Date.parse('2026-12-03T19:00:00Z');
    expect(ring.lookup('new', end - 1)).toMatchObject({ entry: { name: 'ci' } });
    expect(ring.lookup('new', end)).toMatchObject({ refused: 'expired' });
    expect(ring.lookup('old', end)).toMatchObject({ refused: 'expired' });
    // The listing says the same: the key's end, and the old secret's end cut to it.
    expect(listFileKeys(parseApiKeys(ends), 'acme', new Map(), end - 1)).toMatchObject([
      { expiresAt: end, previousUntil: end },
    ]);
  });
});
