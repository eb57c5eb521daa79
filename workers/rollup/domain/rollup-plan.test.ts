import fc from 'fast-check';
import { buildManifestKey } from '../../domain/metrics-layout.js';
import {
  buildRawPartition,
  buildRawSegmentKey,
  parseRawSegmentKey,
  partitionStartMs,
} from '../../domain/raw-partition.js';
import { buildInputsDigest, type RollupManifest } from './rollup-manifest.js';
import {
  buildPartitionId,
  buildRollupPlan,
  decidePartition,
  type PartitionCandidate,
  type RollupPolicy,
} from './rollup-plan.js';

const hour = 3_600_000;
const day = 24 * hour;
const now = Date.parse('2026-11-20T12:30:00Z');

const policy = (overrides: Partial<RollupPolicy> = {}): RollupPolicy => ({
  nowMs: now,
  latenessMs: 10 * 60_000,
  includeOpen: false,
  rawRetentionMs: 7 * day,
  metricsRetentionMs: 30 * day,
  ...overrides,
});

/** One raw object of the tenant's hour that starts `hoursAgo` hours before now's hour. */
const rawObject = (hoursAgo: number, seq = 0, tenant = 'acme') => ({
  key: buildRawSegmentKey(buildRawPartition(tenant, now - hoursAgo * hour), 'ing-0', seq),
  etag: `e${seq}`,
  size: 10 + seq,
});

describe('buildRollupPlan', () => {
  it('rolls up an hour once the watermark (hour end + lateness) has passed it, and not before', () => {
    // now is 12:30; the 11:00 hour ends at 12:00 and closes at 12:10; the 12:00 hour is still open.
    const plan = buildRollupPlan([rawObject(1), rawObject(0)], [], policy());
    expect(plan.candidates.map((c) => [c.partition.hour, c.sealed])).toEqual([['11', true]]);
    const late = buildRollupPlan([rawObject(1)], [], policy({ latenessMs: 45 * 60_000 }));
    expect(late.candidates).toEqual([]);
  });

  it('rolls up the open hour provisionally with includeOpen (sealed: false), never a future hour', () => {
    const future = { ...rawObject(0, 1), key: rawObject(-2, 1).key };
    const plan = buildRollupPlan([rawObject(1), rawObject(0), future], [], policy({ includeOpen: true }));
    expect(plan.candidates.map((c) => [c.partition.hour, c.sealed])).toEqual([
      ['11', true],
      ['12', false],
    ]);
  });

  it('groups every segment of an hour into one candidate whose digest covers all its inputs', () => {
    const objects = [rawObject(3, 2), rawObject(3, 0), rawObject(3, 1)];
    const [candidate, ...rest] = buildRollupPlan(objects, [], policy()).candidates;
    expect(rest).toEqual([]);
    expect(candidate!.inputs).toEqual(objects);
    expect(candidate!.inputsDigest).toBe(buildInputsDigest([...objects].reverse()));
  });

  it('keeps tenants apart: the same hour of two tenants is two candidates', () => {
    const plan = buildRollupPlan([rawObject(2, 0, 'a'), rawObject(2, 0, 'b')], [], policy());
    expect(plan.candidates.map((c) => c.partition.tenant)).toEqual(['a', 'b']);
  });

  it('reports keys under raw/ that are not segment keys and leaves them out of every candidate', () => {
    const foreign = { key: 'raw/tenant=acme/notes.txt', etag: 'x', size: 1 };
    const plan = buildRollupPlan([foreign, rawObject(2)], [], policy());
    expect(plan.foreignKeys).toEqual([foreign.key]);
    expect(plan.candidates.flatMap((c) => c.inputs.map((i) => i.key))).toEqual([rawObject(2).key]);
  });

  it('expires raw data past raw retention plus one lateness window, and its metrics past metrics retention', () => {
    const rawAge = 7 * 24 + 2;
    const plan = buildRollupPlan([rawObject(rawAge), rawObject(31 * 24)], [], policy());
    expect(plan.rawExpired.map((e) => [partitionStartMs(e.partition), e.pastMetrics])).toEqual([
      [partitionStartMs(buildRawPartition('acme', now - rawAge * hour)), false],
      [partitionStartMs(buildRawPartition('acme', now - 31 * 24 * hour)), true],
    ]);
    // Past raw retention but within metrics retention it is still a candidate (late files are rolled up first).
    expect(plan.candidates.map((c) => buildPartitionId(c.partition))).toEqual([
      buildPartitionId(buildRawPartition('acme', now - rawAge * hour)),
    ]);
  });

  it('lists committed metric partitions past metrics retention from the manifest keys alone', () => {
    const old = buildRawPartition('acme', now - 31 * day);
    const recent = buildRawPartition('acme', now - 29 * day);
    const keys = [buildManifestKey(old), buildManifestKey(recent), 'metrics/_manifests/junk'];
    expect(buildRollupPlan([], keys, policy()).metricsExpired).toEqual([old]);
  });

  it('accounts for every raw object exactly once and orders candidates oldest first (any listing)', () => {
    const object = fc
      .record({
        hoursAgo: fc.integer({ min: -3, max: 40 * 24 }),
        seq: fc.integer({ min: 0, max: 5 }),
        tenant: fc.constantFrom('a', 'b', 'c'),
      })
      .map(({ hoursAgo, seq, tenant }) => rawObject(hoursAgo, seq, tenant));
    const policies = fc.record({
      latenessMs: fc.integer({ min: 0, max: 3 * hour }),
      includeOpen: fc.boolean(),
      rawRetentionMs: fc.integer({ min: 1, max: 20 }).map((d) => d * day),
      metricsRetentionMs: fc.integer({ min: 1, max: 35 }).map((d) => d * day),
    });
    fc.assert(
      fc.property(fc.uniqueArray(object, { selector: (o) => o.key }), policies, (objects, p) => {
        const full = policy(p);
        const plan = buildRollupPlan(objects, [], full);
        const metricsCutoff = full.nowMs - full.metricsRetentionMs;
        const planned = plan.candidates.flatMap((c) => c.inputs.map((i) => i.key));
        expect(new Set(planned).size).toBe(planned.length);
        for (const o of objects) {
          const start = partitionStartMs(parseRawSegmentKey(o.key));
          const sealed = start + hour + full.latenessMs <= full.nowMs;
          const due = start + hour > metricsCutoff && (sealed || (full.includeOpen && start <= full.nowMs));
          expect({ key: o.key, planned: planned.includes(o.key) }).toEqual({ key: o.key, planned: due });
        }
        const starts = plan.candidates.map((c) => partitionStartMs(c.partition));
        expect(starts).toEqual([...starts].sort((x, y) => x - y));
        const ids = plan.candidates.map((c) => buildPartitionId(c.partition));
        expect(new Set(ids).size).toBe(ids.length);
      }),
    );
  });
});

describe('decidePartition', () => {
  const inputs = [rawObject(2, 0), rawObject(2, 1)];
  const candidate: PartitionCandidate = {
    partition: buildRawPartition('acme', now - 2 * hour),
    inputs,
    inputsDigest: buildInputsDigest(inputs),
    sealed: true,
  };
  const manifest = (overrides: Partial<RollupManifest> = {}) =>
    ({ inputs, inputs_digest: candidate.inputsDigest, published: true, ...overrides }) as RollupManifest;

  it('computes a partition that has no manifest yet', () => {
    expect(decidePartition(candidate, undefined)).toEqual({ action: 'compute', reason: 'new' });
  });

  it('skips a published partition whose inputs are unchanged, and republishes an unpublished one', () => {
    expect(decidePartition(candidate, manifest())).toEqual({ action: 'skip', reason: 'up_to_date' });
    expect(decidePartition(candidate, manifest({ published: false }))).toEqual({ action: 'republish' });
  });

  it('recomputes when late data changed the inputs, from all of the committed inputs', () => {
    const late = [...inputs, rawObject(2, 2)];
    const withLate = { ...candidate, inputs: late, inputsDigest: buildInputsDigest(late) };
    expect(decidePartition(withLate, manifest())).toEqual({ action: 'compute', reason: 'inputs_changed' });
  });

  it('never recomputes a generation retention retired or whose committed inputs are gone', () => {
    const late = [...inputs, rawObject(2, 2)];
    const withLate = { ...candidate, inputs: late, inputsDigest: buildInputsDigest(late) };
    expect(decidePartition(withLate, manifest({ raw_retired: true }))).toEqual({
      action: 'skip',
      reason: 'raw_retired',
    });
    const oneGone = [inputs[1]!, rawObject(2, 2)];
    const missing = { ...candidate, inputs: oneGone, inputsDigest: buildInputsDigest(oneGone) };
    expect(decidePartition(missing, manifest())).toEqual({ action: 'skip', reason: 'raw_retired' });
  });
});
