import fc from 'fast-check';
import {
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
const create = (doc: ManagedKeysDoc, tenant: string, now: number) =>
  createKey(doc, { tenant, name: 'ci', scopes: ['ingest'], actor: 'key:root' }, fresh(), now);

describe('managed keys', () => {
  it('rotates: the new key takes name and scopes, the old one works until the overlap ends', () => {
    const { doc, key } = create(emptyKeysDoc(), 'acme', 1000);
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
    const listed = listFileKeys(entries, 'dev', new Map([['file:dev', 1234]]));
    expect(listed).toEqual([
      { id: 'file:dev', name: 'dev', scopes: ['ingest', 'admin'], source: 'file', lastUsedAt: 1234 },
      { id: 'file:bare', name: 'bare', scopes: ['query'], source: 'file', lastUsedAt: null },
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/aaaa|cccc/);
  });
});
