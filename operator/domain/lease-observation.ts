/** The parts of a coordination.k8s.io Lease's spec that leader election reads and writes. */
export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  renewTime?: string;
  acquireTime?: string;
  leaseTransitions?: number;
}

/** The last lease record seen and when it was seen, on this process's monotonic clock. */
export interface Observation {
  key: string;
  atMs: number;
}

const recordKey = (r: LeaseRecord) =>
  JSON.stringify([
    r.holderIdentity ?? '',
    r.renewTime ?? '',
    r.leaseDurationSeconds ?? 0,
    r.leaseTransitions ?? 0,
  ]);

/**
 * client-go's observed-time rule: a record is fresh for its lease duration from the moment *this* process saw it
 * change, never from the renewTime written in it, so a holder whose clock runs behind (or ahead) cannot make a
 * live lease look expired. Returns the observation to keep.
 */
export function observe(previous: Observation | undefined, record: LeaseRecord, nowMs: number): Observation {
  const key = recordKey(record);
  return previous?.key === key ? previous : { key, atMs: nowMs };
}

/** Whether `identity` may take the lease now: it is free, already ours, or unchanged for a whole lease duration. */
export function mayAcquire(
  record: LeaseRecord,
  observation: Observation,
  identity: string,
  nowMs: number,
  defaultDurationSeconds: number,
): boolean {
  if (!record.holderIdentity || record.holderIdentity === identity) return true;
  const durationMs = (record.leaseDurationSeconds ?? defaultDurationSeconds) * 1000;
  return nowMs - observation.atMs > durationMs;
}

/**
 * Whether a leader still may act: its last successful renewal *started* less than the renew deadline ago. The
 * deadline is shorter than the lease duration, so a leader that cannot renew (partitioned, paused, slow) stops
 * before any other candidate can see its lease expire: never two leaders.
 */
export function withinRenewDeadline(lastRenewStartMs: number | undefined, nowMs: number, deadlineMs: number) {
  return lastRenewStartMs !== undefined && nowMs - lastRenewStartMs < deadlineMs;
}
