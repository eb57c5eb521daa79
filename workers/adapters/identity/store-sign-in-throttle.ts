import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import {
  signInFailuresBucket,
  signInFailuresKey,
  signInFailuresPrefix,
} from '../../domain/identity-layout.js';
import {
  failureBucket,
  retryAfterSeconds,
  signInFailuresSchema,
  throttleLimitOf,
  throttleSubjectKey,
  withFailure,
  type ThrottleLimits,
  type ThrottleSubject,
} from '../../domain/sign-in-throttle.js';
import { PreconditionFailedError, type ObjectStore } from '../object-store/object-store.js';

/** What the sign-in routes ask of the failed sign-in limit. */
export interface SignInThrottle {
  /** Seconds until the subject may try again (at least 1), or undefined when it may try now. */
  retryAfterSeconds(subject: ThrottleSubject, now: number): Promise<number | undefined>;
  /** One failed sign-in of each subject given. */
  recordFailure(subjects: readonly ThrottleSubject[], now: number): Promise<void>;
}

/**
 * Conditional puts lost in a row before a failure is given up (logged): only a storm of failures on one subject
 * contends, and a random pause between attempts spreads the contenders out.
 */
const maxPutAttempts = 32;
const pause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 5 * 2 ** Math.min(attempt, 5))));

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Failed sign-ins kept in the object store, so every query replica counts the same failures and an attacker who
 * spreads attempts across N replicas still gets the limit, not N times it (docs/adr/0090). One object per subject
 * and window-long bucket, read-modify-written with conditional puts (no lost increment when two replicas record
 * at once); a check reads the subject's current and previous bucket. Buckets older than that are deleted by the
 * first failure recorded in a new bucket. Reads go to the store every time: sign-ins are rare, and a cached count
 * would let a burst through.
 */
export class StoreSignInThrottle implements SignInThrottle {
  private sweptBucket = -1;

  constructor(
    private readonly store: ObjectStore,
    private readonly limits: ThrottleLimits,
    private readonly log: Logger,
  ) {}

  async retryAfterSeconds(subject: ThrottleSubject, now: number): Promise<number | undefined> {
    const name = digest(throttleSubjectKey(subject));
    const bucket = failureBucket(now, this.limits.windowMs);
    const [previous, current] = await Promise.all([this.load(bucket - 1, name), this.load(bucket, name)]);
    const times = [...(previous?.times ?? []), ...(current?.times ?? [])];
    return retryAfterSeconds(times, now, this.limits.windowMs, throttleLimitOf(this.limits, subject));
  }

  async recordFailure(subjects: readonly ThrottleSubject[], now: number): Promise<void> {
    for (const subject of subjects) await this.add(subject, now);
    await this.sweep(now);
  }

  private async add(subject: ThrottleSubject, now: number): Promise<void> {
    const subjectKey = throttleSubjectKey(subject);
    const key = signInFailuresKey(failureBucket(now, this.limits.windowMs), digest(subjectKey));
    const limit = throttleLimitOf(this.limits, subject);
    for (let attempt = 0; attempt < maxPutAttempts; attempt++) {
      const object = await this.store.get(key);
      const stored = object && this.parse(key, object.body);
      const times = withFailure(stored?.times ?? [], now, this.limits.windowMs, limit);
      const body = new TextEncoder().encode(JSON.stringify({ subject: subjectKey, times }));
      try {
        await this.store.put(key, body, {
          contentType: 'application/json',
          ...(object ? { ifMatch: object.etag } : { ifNoneMatch: '*' as const }),
        });
        return;
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err;
        await pause(attempt);
      }
    }
    this.log.warn(
      { key, attempts: maxPutAttempts },
      'sign-in failure not counted: the store object kept changing',
    );
  }

  private async load(bucket: number, name: string) {
    const key = signInFailuresKey(bucket, name);
    const object = await this.store.get(key);
    return object && this.parse(key, object.body);
  }

  private parse(key: string, body: Uint8Array) {
    const parsed = signInFailuresSchema.safeParse(this.json(body));
    if (parsed.success) return parsed.data;
    // Unreadable: counted as no failures and replaced by the next one (refusing every sign-in would be worse).
    this.log.warn({ key }, 'sign-in failures object unreadable: counted as empty');
    return undefined;
  }

  private json(body: Uint8Array): unknown {
    try {
      return JSON.parse(new TextDecoder().decode(body));
    } catch {
      return undefined;
    }
  }

  /** Deletes every bucket older than the two a check reads, once per bucket per replica. */
  private async sweep(now: number): Promise<void> {
    const bucket = failureBucket(now, this.limits.windowMs);
    if (bucket <= this.sweptBucket) return;
    this.sweptBucket = bucket;
    try {
      const old = (await this.store.list(signInFailuresPrefix)).filter(
        ({ key }) => (signInFailuresBucket(key) ?? bucket) < bucket - 1,
      );
      for (const { key } of old) await this.store.delete(key);
    } catch (err) {
      this.log.warn({ err }, 'old sign-in failure buckets not deleted: tried again in the next bucket');
    }
  }
}
