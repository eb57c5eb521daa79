/**
 * Failed sign-ins counted per source address and per account over a sliding window (docs/security.md): past a
 * limit, further sign-ins from that source, or of that account, are refused until the oldest failure leaves the
 * window. Pure (times come in); bounded: at most `maxKeys` keys are tracked, the stalest dropped first. Per server
 * replica: an attacker spreading attempts across N replicas gets at most N times the limit.
 */
export interface ThrottleLimits {
  perSource: number;
  perAccount: number;
  windowMs: number;
  maxKeys?: number;
}

export type ThrottleSubject = { source: string } | { account: string };

const keyOf = (s: ThrottleSubject) => ('source' in s ? `source:${s.source}` : `account:${s.account}`);

export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limits: ThrottleLimits) {}

  /** Seconds until the subject may try again (at least 1), or undefined when it may try now. */
  retryAfterSeconds(subject: ThrottleSubject, now: number): number | undefined {
    const limit = 'source' in subject ? this.limits.perSource : this.limits.perAccount;
    const times = this.recent(keyOf(subject), now);
    if (times.length < limit) return undefined;
    const freedAt = times[times.length - limit]! + this.limits.windowMs;
    return Math.max(1, Math.ceil((freedAt - now) / 1000));
  }

  /** One failed sign-in of each subject given. */
  recordFailure(subjects: readonly ThrottleSubject[], now: number): void {
    for (const subject of subjects) {
      const key = keyOf(subject);
      const times = this.recent(key, now);
      times.push(now);
      // Re-inserted last: the map's order is staleness order, so the first key is the one to drop.
      this.failures.delete(key);
      this.failures.set(key, times);
    }
    const maxKeys = this.limits.maxKeys ?? 100_000;
    while (this.failures.size > maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  private recent(key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > now - this.limits.windowMs);
    if (times.length === 0) this.failures.delete(key);
    else this.failures.set(key, times);
    return times;
  }
}
