import { canRecompute, decideRawRetention } from './raw-retention-plan.js';
import type { RollupManifest } from './rollup-manifest.js';

const a = {
  key: 'raw/tenant=acme/date=2026-11-20/hour=10/ing-0-000000000000.jsonl.gz',
  etag: 'ea',
  size: 10,
};
const b = {
  key: 'raw/tenant=acme/date=2026-11-20/hour=10/ing-0-000000000001.jsonl.gz',
  etag: 'eb',
  size: 20,
};
const late = {
  key: 'raw/tenant=acme/date=2026-11-20/hour=10/ing-1-000000000000.jsonl.gz',
  etag: 'el',
  size: 5,
};

const manifest = (overrides: Partial<RollupManifest> = {}) =>
  ({ inputs: [a, b], published: true, ...overrides }) as RollupManifest;

describe('decideRawRetention', () => {
  it('rolls up first when there is no manifest, an unpublished one, or a file it does not cover', () => {
    expect(decideRawRetention([a], undefined)).toEqual({ action: 'rollup' });
    expect(decideRawRetention([a, b], manifest({ published: false }))).toEqual({ action: 'rollup' });
    expect(decideRawRetention([a, b, late], manifest())).toEqual({ action: 'rollup' });
  });

  it('never deletes a file whose key a manifest lists but whose size differs (it was replaced)', () => {
    expect(decideRawRetention([a, { ...b, size: 21 }], manifest())).toEqual({
      action: 'delete',
      covered: [a.key],
      uncovered: [b.key],
    });
  });

  it('takes a file whose etag alone changed (a copied data directory, a mirrored bucket) for the same input', () => {
    const copied = [
      { ...a, etag: 'copied-a' },
      { ...b, etag: 'copied-b' },
    ];
    expect(decideRawRetention(copied, manifest())).toEqual({ action: 'retire' });
    expect(decideRawRetention(copied, manifest({ raw_retired: true }))).toEqual({
      action: 'delete',
      covered: [a.key, b.key],
      uncovered: [],
    });
  });

  it('retires a published manifest that covers everything listed before deleting anything', () => {
    expect(decideRawRetention([a, b], manifest())).toEqual({ action: 'retire' });
  });

  it('deletes exactly the covered files of a retired manifest and keeps stragglers', () => {
    expect(decideRawRetention([b, late], manifest({ raw_retired: true }))).toEqual({
      action: 'delete',
      covered: [b.key],
      uncovered: [late.key],
    });
  });

  it('keeps everything of an unpublished manifest whose inputs are partly gone', () => {
    expect(decideRawRetention([b, late], manifest({ published: false }))).toEqual({
      action: 'keep',
      reason: 'unpublished_inputs_gone',
    });
  });
});

describe('canRecompute', () => {
  it('allows a recompute only from every committed input, and never once retired', () => {
    expect(canRecompute([a, b, late], manifest())).toBe(true);
    expect(canRecompute([b, late], manifest())).toBe(false);
    expect(canRecompute([a, b, late], manifest({ raw_retired: true }))).toBe(false);
    expect(canRecompute([{ ...a, etag: 'copied' }, b], manifest())).toBe(true);
    expect(canRecompute([{ ...a, size: 11 }, b], manifest())).toBe(false);
  });
});
