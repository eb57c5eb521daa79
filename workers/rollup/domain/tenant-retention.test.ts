import fc from 'fast-check';
import { buildManifestKey } from '../../domain/metrics-layout.js';
import { buildRawPartition, buildRawSegmentKey } from '../../domain/raw-partition.js';
import { buildRollupPlan, type RollupPolicy } from './rollup-plan.js';
import { resolveTenantRetention } from './tenant-retention.js';

const hour = 3_600_000;
const day = 24 * hour;
const now = Date.parse('2026-11-20T12:30:00Z');
const defaults = { rawRetentionMs: 7 * day, metricsRetentionMs: 30 * day };

const policy = (overrides: Partial<RollupPolicy> = {}): RollupPolicy => ({
  nowMs: now,
  latenessMs: 10 * 60_000,
  includeOpen: false,
  ...defaults,
  ...overrides,
});

const rawObject = (tenant: string, hoursAgo: number) => ({
  key: buildRawSegmentKey(buildRawPartition(tenant, now - hoursAgo * hour), 'ing-0', 0),
  etag: 'e',
  size: 10,
});

describe('tenant retention', () => {
  it("uses the tenant's days where it sets them and clamps raw retention to its metrics retention", () => {
    expect(resolveTenantRetention(defaults, undefined)).toEqual(defaults);
    expect(resolveTenantRetention(defaults, { rawDays: 2 })).toEqual({
      rawRetentionMs: 2 * day,
      metricsRetentionMs: 30 * day,
    });
    expect(resolveTenantRetention(defaults, { metricsDays: 3 })).toEqual({
      rawRetentionMs: 3 * day,
      metricsRetentionMs: 3 * day,
    });
    expect(resolveTenantRetention(defaults, { rawDays: 60, metricsDays: 90 })).toEqual({
      rawRetentionMs: 60 * day,
      metricsRetentionMs: 90 * day,
    });
  });

  it("expires one tenant's raw hours and metric partitions at its own retention, the others' at the pipeline's", () => {
    const overrides: Record<string, { rawDays?: number; metricsDays?: number }> = {
      short: { rawDays: 1, metricsDays: 2 },
      long: { rawDays: 60, metricsDays: 90 },
    };
    const raw = ['short', 'long', 'plain'].map((t) => rawObject(t, 36));
    const oldRaw = ['short', 'long', 'plain'].map((t) => rawObject(t, 10 * 24));
    const manifests = ['short', 'long', 'plain'].map((t) =>
      buildManifestKey(buildRawPartition(t, now - 40 * day)),
    );
    const plan = buildRollupPlan([...raw, ...oldRaw], manifests, {
      ...policy(),
      retentionOverride: (tenant) => overrides[tenant],
    });
    const expired = plan.rawExpired.map((e) => `${e.partition.tenant}@${e.partition.date}:${e.pastMetrics}`);
    // 36 hours ago: past 'short' raw retention (1 day) but inside its metrics (2 days): deleted only once covered.
    // 10 days ago: past 'short' metrics too; past the pipeline's 7 raw days for 'plain'; inside 'long' (60 days).
    expect(expired.sort()).toEqual([
      'plain@2026-11-10:false',
      'short@2026-11-10:true',
      'short@2026-11-19:false',
    ]);
    // A 10-day-old 'short' hour is past its metrics retention: never rolled up again.
    expect(plan.candidates.map((c) => c.partition.tenant).sort()).toEqual([
      'long',
      'long',
      'plain',
      'plain',
      'short',
    ]);
    expect(plan.metricsExpired.map((p) => p.tenant).sort()).toEqual(['plain', 'short']);
  });

  it('never marks raw data past retention without a manifest check while its metrics are kept, for any override', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
        fc.integer({ min: 0, max: 50 * 24 }),
        (rawDays, metricsDays, hoursAgo) => {
          const override = {
            ...(rawDays !== undefined && { rawDays }),
            ...(metricsDays !== undefined && { metricsDays }),
          };
          const plan = buildRollupPlan([rawObject('t', hoursAgo)], [], {
            ...policy(),
            retentionOverride: () => override,
          });
          const retention = resolveTenantRetention(defaults, override);
          const partitionEnd = buildRawPartition('t', now - hoursAgo * hour);
          const end = Date.parse(`${partitionEnd.date}T${partitionEnd.hour}:00:00Z`) + hour;
          for (const e of plan.rawExpired) {
            // Raw data goes without a manifest check only when its metrics are past retention as well.
            if (e.pastMetrics) expect(end).toBeLessThanOrEqual(now - retention.metricsRetentionMs);
          }
          expect(retention.rawRetentionMs).toBeLessThanOrEqual(retention.metricsRetentionMs);
        },
      ),
    );
  });
});
