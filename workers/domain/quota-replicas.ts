import { z } from 'zod';

/**
 * What an ingest replica announces about itself every beat (identity/ingest-replicas/<ingester>.json): that it is
 * alive, and what each tenant sent it. Every replica reads every announcement to take its share of a tenant's rate
 * quota and to add up a tenant's bytes of the day (docs/adr/0080). Pure: the one owner of the shape and its rules.
 */
export const replicaBeatSchema = z.object({
  replica: z.string().min(1).max(63),
  /** When the beat was written (ms since epoch, the writer's clock). */
  at: z.number().int().min(0),
  /** A replica stopping says so: the others give its share back at once instead of after the stale window. */
  leaving: z.boolean().default(false),
  /**
   * The replicas the writer counted live at its last read of the beats, itself included. Another replica learns from
   * it whether the writer has seen it join yet (docs/adr/0121); absent from older replicas' beats.
   */
  sees: z.array(z.string().min(1).max(63)).max(1000).optional(),
  /** The UTC day (YYYY-MM-DD) bytesToday counts. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  tenants: z
    .record(
      z.string(),
      z.object({
        /** Facts and events this replica accepted per second, over the last beat interval. */
        rate: z.number().min(0),
        /**
         * Facts and events offered to this replica per second over the last beat interval, refused ones included:
         * what its rate share follows (docs/adr/0121). Absent from older replicas' beats (read as their rate).
         */
        demand: z.number().min(0).optional(),
        /** Request body bytes this replica accepted during `day`. */
        bytesToday: z.number().int().min(0),
      }),
    )
    .default({}),
});
export type ReplicaBeat = z.output<typeof replicaBeatSchema>;

/** GRAVIX_QUOTA_STALE_MS's default: the ingest servers' and the usage API's idea of a replica gone. */
export const defaultQuotaStaleMs = 10_000;

/** The UTC day of a time, as the beats spell it. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Whole seconds until the next UTC day starts (at least 1): when a tenant over its bytes per day may send again. */
export function secondsUntilNextDay(ms: number): number {
  const next = Date.parse(`${utcDay(ms)}T00:00:00Z`) + 86_400_000;
  return Math.max(1, Math.ceil((next - ms) / 1000));
}

/** Replicas that beat within `staleMs` and are not leaving; `self` always counts (it is alive: it is asking). */
export function liveReplicas(
  beats: readonly ReplicaBeat[],
  self: string,
  now: number,
  staleMs: number,
): string[] {
  const live = new Set([self]);
  for (const beat of beats)
    if (!beat.leaving && beat.at >= now - staleMs && beat.replica !== self) live.add(beat.replica);
  return [...live].sort();
}

/**
 * The part of a quota every live replica keeps whatever its demand: a replica whose traffic starts can admit at
 * once (until its next beat announces the demand), and a replica's share never drops to nothing.
 */
export const demandShareFloor = 0.1;

/**
 * One replica's share of a tenant's events-per-second quota, following each live replica's announced demand
 * (docs/adr/0121). The shares of the live replicas add up to the quota whenever they read the same demands:
 * - total demand within (1 - floor) x quota: each replica gets its demand plus an equal part of the room left;
 * - above that: the floor split equally, the rest in proportion to demand.
 * The two agree at the boundary, so a share does not jump as demand crosses it. With no demand anywhere the
 * shares are equal. `demands` holds every live replica's demand (self included; absent = 0).
 */
export function demandShare(
  quotaPerSecond: number,
  live: readonly string[],
  self: string,
  demands: ReadonlyMap<string, number>,
): number {
  const count = Math.max(1, live.length);
  let total = 0;
  for (const replica of live) total += demands.get(replica) ?? 0;
  if (total === 0) return quotaPerSecond / count;
  const own = demands.get(self) ?? 0;
  if (total <= (1 - demandShareFloor) * quotaPerSecond) return own + (quotaPerSecond - total) / count;
  return (
    (demandShareFloor * quotaPerSecond) / count + ((1 - demandShareFloor) * quotaPerSecond * own) / total
  );
}

/**
 * A tenant's bytes of `day` across replicas: this replica's own count plus every other replica's announced count
 * for that day, leaving and stale replicas included (their bytes were accepted; a replica leaving does not give
 * the day's bytes back).
 */
export function bytesUsedToday(
  beats: readonly ReplicaBeat[],
  self: string,
  tenant: string,
  day: string,
  ownBytes: number,
): number {
  let total = ownBytes;
  for (const beat of beats)
    if (beat.replica !== self && beat.day === day) total += beat.tenants[tenant]?.bytesToday ?? 0;
  return total;
}
