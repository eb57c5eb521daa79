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
  /** Seconds until the subject may try again (at least 1), or undefined when it may try now. Counts nothing. */
  retryAfterSeconds(subject: ThrottleSubject, now: number): Promise<number | undefined>;
  /**
   * Check and count in one step: seconds to wait when the subject is at its limit (nothing counted), else
   * undefined, and the attempt is counted as a failure at `now` until forgiven. Attempts in flight therefore count
   * against the limit: a burst of concurrent sign-ins passes it by none of them.
   */
  attempt(subject: ThrottleSubject, now: number): Promise<number | undefined>;
  /** Takes back attempts counted at `now` that did not fail (signed in, or refused for throttling). */
  forgive(subjects: readonly ThrottleSubject[], now: number): Promise<void>;
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
 * at once); a check reads the subject's current and previous bucket. An attempt is checked and counted by the same
 * conditional put, so two attempts cannot both pass on the same count (docs/adr/0097); one that did not fail is
 * taken back afterwards. Buckets older than that are deleted by the first attempt counted in a new bucket. Reads
 * go to the store every time: sign-ins are rare, and a cached count would let a burst through.
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

  async attempt(subject: ThrottleSubject, now: number): Promise<number | undefined> {
    const wait = await this.change(subject, now, (times, previous, limit) => {
      const refused = retryAfterSeconds([...previous, ...times], now, this.limits.windowMs, limit);
      return refused === undefined ? withFailure(times, now, this.limits.windowMs, limit) : refused;
    });
    await this.sweep(now);
    return wait;
  }

  async forgive(subjects: readonly ThrottleSubject[], now: number): Promise<void> {
    for (const subject of subjects)
      await this.change(subject, now, (times) => {
        const at = times.indexOf(now);
        return at < 0 ? undefined : times.filter((_, k) => k !== at);
      });
  }

  /**
   * Read-modify-write of the subject's bucket of `now` by conditional put, retried when another writer got there
   * first. `step` sees the bucket's times and the previous bucket's, and returns the new times, or a number to
   * answer without writing (undefined: nothing to write). An attempt the store kept refusing is refused too.
   */
  private async change(
    subject: ThrottleSubject,
    now: number,
    step: (times: number[], previous: number[], limit: number) => number[] | number | undefined,
  ): Promise<number | undefined> {
    const subjectKey = throttleSubjectKey(subject);
    const name = digest(subjectKey);
    const bucket = failureBucket(now, this.limits.windowMs);
    const key = signInFailuresKey(bucket, name);
    const limit = throttleLimitOf(this.limits, subject);
    for (let attempt = 0; attempt < maxPutAttempts; attempt++) {
      const [previous, object] = await Promise.all([this.load(bucket - 1, name), this.store.get(key)]);
      const stored = object && this.parse(key, object.body);
      const next = step(stored?.times ?? [], previous?.times ?? [], limit);
      if (next === undefined || typeof next === 'number') return next;
      const body = new TextEncoder().encode(JSON.stringify({ subject: subjectKey, times: next }));
      try {
        await this.store.put(key, body, {
          contentType: 'application/json',
          ...(object ? { ifMatch: object.etag } : { ifNoneMatch: '*' as const }),
        });
        return undefined;
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err;
        await pause(attempt);
      }
    }
    this.log.warn(
      { key, attempts: maxPutAttempts },
      'sign-in failures not changed: the store object kept changing (an attempt is refused)',
    );
    return 1;
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
