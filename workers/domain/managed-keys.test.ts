import fc from 'fast-check';
import { keyUsageId } from './api-keys.js';
import {
  KeyNameTakenError,
  KeyNotActiveError,
  KeyNotFoundError,
  createKey,
  emptyKeysDoc,
  keyTombstoneMs,
  listFileKeys,
  listKeys,
  parseManagedKeysDoc,
  revokeKey,
  rotateKey,
  type ManagedKeysDoc,
} from './managed-keys.js';

let counter = 0;
const fresh = () => {
  counter += 1;
  const hex = counter.toString(16).padStart(16, '0');
  return { id: `gk_${hex}`, sha256: hex.repeat(4) };
};
const create = (doc: ManagedKeysDoc, tenant: string, now: number, name = `ci-${counter}`) =>
  createKey(doc, { tenant, name, scopes: ['ingest'], actor: 'key:root' }, fresh(), now);

describe('managed keys', () => {
  it('rotates: the new key takes name and scopes, the old one works until the overlap ends', () => {
    const { doc, key } = create(emptyKeysDoc(), 'acme', 1000, 'ci');
    const r = rotateKey(doc, 'acme', key.id, 60_000, fresh(), 'key:root', 2000);
    expect(r.after.expiresAt).toBe(62_000);
    expect(r.successor).toMatchObject({
      name: 'ci',
      scopes: ['ingest'],
      rotatedFrom: key.id,
      createdAt: 2000,
    });
    const states = (now: number) => listKeys(r.doc, 'acme', new Map(), now).map((k) => k.state);
    expect(states(61_999)).toEqual(['active', 'active']);
    expect(states(62_000)).toEqual(['expired', 'active']);
  });

  it('never extends a key past its own expiry by rotating it', () => {
    const { doc, key } = createKey(
      emptyKeysDoc(),
      { tenant: 'acme', name: 'x', scopes: ['query'], expiresAt: 5000, actor: 'a' },
      fresh(),
      0,
    );
    expect(rotateKey(doc, 'acme', key.id, 60_000, fresh(), 'a', 1000).after.expiresAt).toBe(5000);
  });

  it("gives the successor the predecessor's lifetime from the rotation on, and no expiry to a key that had none", () => {
    const { doc, key } = createKey(
      emptyKeysDoc(),
      { tenant: 'acme', name: 'x', scopes: ['ingest'], expiresAt: 86_400_000 + 1000, actor: 'a' },
      fresh(),
      1000,
    );
    const rotated = rotateKey(doc, 'acme', key.id, 60_000, fresh(), 'a', 50_000);
    expect(rotated.successor.expiresAt).toBe(50_000 + 86_400_000);
    const states = (now: number) => listKeys(rotated.doc, 'acme', new Map(), now).map((k) => k.state);
    expect(states(50_000 + 86_400_000)).toEqual(['expired', 'expired']);
    const endless = create(emptyKeysDoc(), 'acme', 0);
    expect(
      rotateKey(endless.doc, 'acme', endless.key.id, 1, fresh(), 'a', 5).successor.expiresAt,
    ).toBeUndefined();
  });

  it("treats another tenant's key id as unknown, and refuses to rotate a revoked key", () => {
    const { doc, key } = create(emptyKeysDoc(), 'acme', 0);
    expect(() => revokeKey(doc, 'globex', key.id, 1)).toThrow(KeyNotFoundError);
    expect(() => rotateKey(doc, 'globex', key.id, 1, fresh(), 'a', 1)).toThrow(
      `no key '${key.id}' in tenant 'globex'`,
    );
    const revoked = revokeKey(doc, 'acme', key.id, 10).doc;
    expect(() => rotateKey(revoked, 'acme', key.id, 1, fresh(), 'a', 11)).toThrow(KeyNotActiveError);
    expect(revokeKey(revoked, 'acme', key.id, 20).doc).toBe(revoked);
  });

  it('drops keys that stopped working more than the tombstone period ago on the next change', () => {
    const { doc, key } = create(emptyKeysDoc(), 'acme', 0);
    const revoked = revokeKey(doc, 'acme', key.id, 10).doc;
    expect(create(revoked, 'acme', 10 + keyTombstoneMs - 1).doc.keys).toHaveLength(2);
    expect(create(revoked, 'acme', 10 + keyTombstoneMs).doc.keys).toHaveLength(1);
  });

  it('round-trips through its stored form and names every bad field of a corrupt document', () => {
    const { doc } = create(emptyKeysDoc(), 'acme', 0);
    expect(parseManagedKeysDoc(JSON.stringify(doc))).toEqual(doc);
    expect(() => parseManagedKeysDoc('{"version":1,"keys":[{"id":"x"}]}')).toThrow(
      /the managed keys document is invalid: keys\.0\.id: .*; keys\.0\.name: /,
    );
  });

  it('keeps tenants apart and a revoked key revoked, whatever sequence of changes', () => {
    const step = fc.record({
      op: fc.constantFrom('create', 'rotate', 'revoke'),
      tenant: fc.constantFrom('acme', 'globex'),
      pick: fc.nat(),
      overlap: fc.nat({ max: 10_000 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let doc = emptyKeysDoc();
        const revoked = new Set<string>();
        steps.forEach((s, i) => {
          const now = i * 1000;
          const own = doc.keys.filter((k) => k.tenant === s.tenant);
          const target = own[s.pick % Math.max(1, own.length)];
          if (s.op === 'create' || !target) doc = create(doc, s.tenant, now).doc;
          else if (s.op === 'revoke') {
            doc = revokeKey(doc, s.tenant, target.id, now).doc;
            revoked.add(target.id);
          } else {
            try {
              doc = rotateKey(doc, s.tenant, target.id, s.overlap, fresh(), 'a', now).doc;
            } catch (error) {
              if (!(error instanceof KeyNotActiveError)) throw error;
            }
          }
        });
        const views = listKeys(doc, 'acme', new Map(), steps.length * 1000);
        const acmeIds = new Set(doc.keys.filter((k) => k.tenant === 'acme').map((k) => k.id));
        return (
          views.every((v) => acmeIds.has(v.id)) &&
          doc.keys.every((k) => !revoked.has(k.id) || k.revokedAt !== undefined) &&
          new Set(doc.keys.map((k) => k.sha256)).size === doc.keys.length
        );
      }),
    );
  });

  it('refuses a name a working key of the tenant holds, in any case, naming that key and what to do', () => {
    const { doc, key } = create(emptyKeysDoc(), 'acme', 0, 'ci');
    for (const name of ['ci', 'CI', 'Ci'])
      expect(() => create(doc, 'acme', 1, name)).toThrow(
        new KeyNameTakenError(
          `name '${name}' is taken in tenant 'acme' by key ${key.id}, which still works; rotate that key for a new ` +
            'secret, revoke it first, or choose another name',
        ),
      );
    expect(() => create(doc, 'acme', 1, 'ci')).toThrow(expect.objectContaining({ code: 'KEY_NAME_TAKEN' }));
    // Another tenant's names are its own.
    expect(create(doc, 'globex', 1, 'ci').key.tenant).toBe('globex');
  });

  it("refuses a name of the tenant's keys file, and no other tenant's file names", () => {
    const input = { tenant: 'dev', name: 'DEV-API-KEY', scopes: ['query' as const], actor: 'key:dev' };
    expect(() => createKey(emptyKeysDoc(), { ...input, fileKeyNames: ['dev-api-key'] }, fresh(), 0)).toThrow(
      new KeyNameTakenError(
        "name 'DEV-API-KEY' is taken in tenant 'dev' by a key of the keys file (GRAVIX_API_KEYS_FILE); choose another name",
      ),
    );
    expect(createKey(emptyKeysDoc(), { ...input, fileKeyNames: [] }, fresh(), 0).key.name).toBe(
      'DEV-API-KEY',
    );
  });

  it('keeps a name taken through a rotation overlap, and frees it once the key is revoked or expired', () => {
    const { doc, key } = create(emptyKeysDoc(), 'acme', 0, 'ci');
    const rotated = rotateKey(doc, 'acme', key.id, 60_000, fresh(), 'a', 1000);
    // Both secrets of the rotated key hold the name while the overlap lasts, the successor after it.
    expect(() => create(rotated.doc, 'acme', 2000, 'ci')).toThrow(KeyNameTakenError);
    expect(() => create(rotated.doc, 'acme', 61_000, 'ci')).toThrow(KeyNameTakenError);
    const revoked = revokeKey(rotated.doc, 'acme', rotated.successor.id, 70_000).doc;
    expect(create(revoked, 'acme', 70_000, 'ci').key.name).toBe('ci');
    const expiring = createKey(
      emptyKeysDoc(),
      { tenant: 'acme', name: 'temp', scopes: ['query'], expiresAt: 5000, actor: 'a' },
      fresh(),
      0,
    );
    expect(() => create(expiring.doc, 'acme', 4999, 'temp')).toThrow(KeyNameTakenError);
    expect(create(expiring.doc, 'acme', 5000, 'temp').key.name).toBe('temp');
  });

  it('keeps duplicates stored before the rule: both listed, each rotated and revoked by its id, no third one', () => {
    const first = create(emptyKeysDoc(), 'acme', 0, 'ci');
    const second = { ...first.key, id: 'gk_00000000000000ff', sha256: 'f'.repeat(64), createdAt: 10 };
    const doc = parseManagedKeysDoc(JSON.stringify({ version: 1, keys: [first.key, second] }));
    expect(listKeys(doc, 'acme', new Map(), 20).map((k) => [k.id, k.name, k.state])).toEqual([
      [first.key.id, 'ci', 'active'],
      [second.id, 'ci', 'active'],
    ]);
    const rotated = rotateKey(doc, 'acme', second.id, 0, fresh(), 'a', 30);
    expect(rotated.successor).toMatchObject({ name: 'ci', rotatedFrom: second.id });
    const revoked = revokeKey(rotated.doc, 'acme', first.key.id, 40);
    expect(revoked.after.revokedAt).toBe(40);
    expect(() => create(revoked.doc, 'acme', 50, 'ci')).toThrow(
      `by key ${rotated.successor.id}, which still works`,
    );
  });

  it('never holds two working keys of one name in a tenant but a rotated key and its successor, whatever the changes', () => {
    const step = fc.record({
      op: fc.constantFrom('create', 'rotate', 'revoke'),
      name: fc.constantFrom('ci', 'CI', 'deploy'),
      pick: fc.nat(),
      overlap: fc.nat({ max: 3000 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let doc = emptyKeysDoc();
        steps.forEach((s, i) => {
          const now = i * 1000;
          const target = doc.keys[s.pick % Math.max(1, doc.keys.length)];
          try {
            if (s.op === 'create' || !target) doc = create(doc, 'acme', now, s.name).doc;
            else if (s.op === 'revoke') doc = revokeKey(doc, 'acme', target.id, now).doc;
            else doc = rotateKey(doc, 'acme', target.id, s.overlap, fresh(), 'a', now).doc;
          } catch (error) {
            if (!(error instanceof KeyNameTakenError || error instanceof KeyNotActiveError)) throw error;
          }
          // The first key a chain of rotations started from: keys of one chain are one key, many secrets.
          const byId = new Map(doc.keys.map((k) => [k.id, k]));
          const origin = (id: string): string => {
            const from = byId.get(id)?.rotatedFrom;
            return from && byId.has(from) ? origin(from) : id;
          };
          const working = listKeys(doc, 'acme', new Map(), now).filter((k) => k.state === 'active');
          const names = new Map<string, Set<string>>();
          for (const k of working) {
            const name = k.name.toLowerCase();
            names.set(name, (names.get(name) ?? new Set()).add(origin(k.id)));
          }
          for (const [name, origins] of names) expect([name, origins.size]).toEqual([name, 1]);
        });
      }),
    );
  });

  it("lists the tenant's keys of the keys file apart, marked as file keys, with their last use and no digest", () => {
    const entries = [
      {
        id: 'file:dev',
        name: 'dev',
        tenant: 'dev',
        sha256: 'a'.repeat(64),
        scopes: ['ingest', 'admin'] as const,
      },
      {
        id: 'file:other',
        name: 'other',
        tenant: 'globex',
        sha256: 'b'.repeat(64),
        scopes: ['query'] as const,
      },
      { name: 'bare', tenant: 'dev', sha256: 'c'.repeat(64), scopes: ['query'] as const },
    ].map((e) => ({ ...e, scopes: [...e.scopes] }));
    const usage = new Map([
      [keyUsageId({ name: 'dev', tenant: 'dev' }), 1234],
      // Another tenant's file key of the same name: its use is not this one's.
      [keyUsageId({ name: 'bare', tenant: 'globex' }), 999],
    ]);
    expect(keyUsageId({ id: 'gk_1', name: 'n', tenant: 't' })).toBe('gk_1');
    const listed = listFileKeys(entries, 'dev', usage, 0);
    const ends = { expiresAt: null, previousUntil: null };
    expect(listed).toEqual([
      { id: 'file:dev', name: 'dev', scopes: ['ingest', 'admin'], source: 'file', lastUsedAt: 1234, ...ends },
      { id: 'file:bare', name: 'bare', scopes: ['query'], source: 'file', lastUsedAt: null, ...ends },
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/aaaa|cccc/);
  });
});
