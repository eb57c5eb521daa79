import type { TenantQuotas as Quotas } from '../../../crds/gravix-tenant-spec.js';
import {
  bytesUsedToday,
  demandShare,
  liveReplicas,
  secondsUntilNextDay,
  utcDay,
  type ReplicaBeat,
} from '../../domain/quota-replicas.js';

export type QuotaDecision =
  | { allowed: true }
  | { allowed: false; quota: 'eventsPerSecond' | 'bytesPerDay'; limit: number; retryAfterSeconds: number };

interface TenantUse {
  tokens: number;
  at: number;
  day: string;
  bytesToday: number;
  /** Facts and events accepted since the last beat (the beat's rate). */
  sinceBeat: number;
  /** Facts and events offered since the last beat, refused ones included (the beat's demand). */
  offeredSinceBeat: number;
  /** The demand this replica announced in its last beat: its share is computed from what the others read. */
  demand: number;
}

export interface TenantQuotaOptions {
  /** This replica's id (GRAVIX_INGESTER_ID). */
  self: string;
  /** The tenant's quotas now (the tenants file, reloaded); undefined = no quota. */
  quotasOf: (tenant: string) => Quotas | undefined;
  /** A beat older than this is a replica gone (it gives its share back). */
  staleMs: number;
  /** The smallest bucket: a full batch must fit, or a tenant with a small share could never send one. */
  minBurst: number;
  now?: () => number;
}

/**
 * A tenant's quotas as one ingest replica enforces them (docs/adr/0080): its share of the events-per-second quota
 * (a token bucket refilled at its share, which follows the live replicas' announced demand, docs/adr/0121), and
 * the bytes-per-day quota against every replica's count of the day. The replicas' beats come in through
 * `observe`; no IO here.
 */
export class TenantQuotaLedger {
  private readonly use = new Map<string, TenantUse>();
  private beats: readonly ReplicaBeat[] = [];
  private beatAt: number;
  private readonly now: () => number;

  constructor(private readonly options: TenantQuotaOptions) {
    this.now = options.now ?? Date.now;
    this.beatAt = this.now();
  }

  /** The other replicas' latest beats (this replica's own is ignored: its live counts are here). */
  observe(beats: readonly ReplicaBeat[]): void {
    this.beats = beats;
  }

  /** After a restart, today's bytes this replica had accepted (its last beat) count again. */
  resume(previous: ReplicaBeat): void {
    if (previous.day !== utcDay(this.now())) return;
    for (const [tenant, { bytesToday }] of Object.entries(previous.tenants))
      this.tenantUse(tenant).bytesToday += bytesToday;
  }

  /** Replicas sharing rate quotas now, this one included. */
  liveCount(): number {
    return liveReplicas(this.beats, this.options.self, this.now(), this.options.staleMs).length;
  }

  /**
   * This replica's share of a tenant's events-per-second quota now: by the demands announced in the live
   * replicas' last beats, its own included (the number the others read, so the shares add up to the quota).
   */
  rateShare(tenant: string, limit: number): number {
    const now = this.now();
    const live = liveReplicas(this.beats, this.options.self, now, this.options.staleMs);
    const demands = new Map<string, number>([[this.options.self, this.use.get(tenant)?.demand ?? 0]]);
    for (const beat of this.beats) {
      const announced = beat.tenants[tenant];
      if (announced && beat.replica !== this.options.self)
        demands.set(beat.replica, announced.demand ?? announced.rate);
    }
    return demandShare(limit, live, this.options.self, demands);
  }

  /** Charges `items` to the tenant's share of its events-per-second quota. */
  admitEvents(tenant: string, items: number): QuotaDecision {
    const limit = this.options.quotasOf(tenant)?.eventsPerSecond;
    if (limit === undefined) return { allowed: true };
    const share = this.rateShare(tenant, limit);
    const burst = Math.max(share, this.options.minBurst);
    const use = this.tenantUse(tenant);
    use.offeredSinceBeat += items;
    const now = this.now();
    use.tokens = Math.min(burst, use.tokens + ((now - use.at) / 1000) * share);
    use.at = now;
    if (items <= use.tokens) {
      use.tokens -= items;
      return { allowed: true };
    }
    const deficit = Math.min(items, burst) - use.tokens;
    return {
      allowed: false,
      quota: 'eventsPerSecond',
      limit,
      retryAfterSeconds: Math.max(1, Math.ceil(deficit / share)),
    };
  }

  /** Whether `bytes` more fit in the tenant's bytes per day, counted across replicas. */
  admitBytes(tenant: string, bytes: number): QuotaDecision {
    const limit = this.options.quotasOf(tenant)?.bytesPerDay;
    if (limit === undefined) return { allowed: true };
    const now = this.now();
    const used = this.bytesToday(tenant, now);
    if (used + bytes <= limit) return { allowed: true };
    return { allowed: false, quota: 'bytesPerDay', limit, retryAfterSeconds: secondsUntilNextDay(now) };
  }

  /** A batch made durable: its items count toward the beat's rate, its bytes toward the day. */
  recordAccepted(tenant: string, items: number, bytes: number): void {
    const use = this.tenantUse(tenant);
    this.rollDay(use, this.now());
    use.sinceBeat += items;
    use.bytesToday += bytes;
  }

  /** The tenant's bytes of today across every replica (the usage API reads the same sum from the beats). */
  bytesToday(tenant: string, now = this.now()): number {
    const day = utcDay(now);
    const use = this.use.get(tenant);
    const own = use && use.day === day ? use.bytesToday : 0;
    return bytesUsedToday(this.beats, this.options.self, tenant, day, own);
  }

  /** This replica's beat; the accepted counts since the previous beat become its rate. */
  beat(leaving = false): ReplicaBeat {
    const now = this.now();
    const seconds = Math.max(0.001, (now - this.beatAt) / 1000);
    this.beatAt = now;
    const tenants: ReplicaBeat['tenants'] = {};
    for (const [tenant, use] of this.use) {
      this.rollDay(use, now);
      use.demand = use.offeredSinceBeat / seconds;
      tenants[tenant] = { rate: use.sinceBeat / seconds, demand: use.demand, bytesToday: use.bytesToday };
      use.sinceBeat = 0;
      use.offeredSinceBeat = 0;
    }
    const sees = liveReplicas(this.beats, this.options.self, now, this.options.staleMs);
    return { replica: this.options.self, at: now, leaving, sees, day: utcDay(now), tenants };
  }

  private rollDay(use: TenantUse, now: number): void {
    const day = utcDay(now);
    if (use.day === day) return;
    use.day = day;
    use.bytesToday = 0;
  }

  private tenantUse(tenant: string): TenantUse {
    let use = this.use.get(tenant);
    if (!use) {
      const now = this.now();
      // A new tenant starts with one share's worth, as a bucket does: the first batch is not refused.
      use = {
        tokens: Number.POSITIVE_INFINITY,
        at: now,
        day: utcDay(now),
        bytesToday: 0,
        sinceBeat: 0,
        offeredSinceBeat: 0,
        demand: 0,
      };
      this.use.set(tenant, use);
    }
    return use;
  }
}
