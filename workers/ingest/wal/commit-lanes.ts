/**
 * The WAL's two commit lanes (docs/adr/0126, issue #17.5). Each lane has its own open segment and its own group
 * commits, written side by side, so a frame in one lane never waits for the other lane's bytes to reach the disk.
 * The small lane holds at most `smallLaneTenantBytes` of any one tenant, queued or being written; a frame that would
 * take its tenant past that goes to the bulk lane. A neighbour's single facts therefore share their fsyncs with
 * other small frames only, and a tenant sending 170 KB batches (or a flood of small ones) waits for its own bytes.
 * Pure: the WAL applies it.
 */
export type LaneName = 'small' | 'bulk';

export function chooseLane(
  frameBytes: number,
  ownerSmallLaneBytes: number,
  smallLaneTenantBytes: number,
): LaneName {
  if (smallLaneTenantBytes <= 0) return 'small';
  return ownerSmallLaneBytes + frameBytes <= smallLaneTenantBytes ? 'small' : 'bulk';
}

/** Bytes each owner has queued or being written in one lane: what chooseLane weighs. */
export class LaneBytes {
  private readonly byOwner = new Map<string, number>();

  of(owner: string): number {
    return this.byOwner.get(owner) ?? 0;
  }

  add(owner: string, bytes: number): void {
    this.byOwner.set(owner, this.of(owner) + bytes);
  }

  /** Only owners with bytes in the lane are kept: memory follows the tenants writing now. */
  remove(owner: string, bytes: number): void {
    const left = this.of(owner) - bytes;
    if (left > 0) this.byOwner.set(owner, left);
    else this.byOwner.delete(owner);
  }
}
