import { z } from 'zod';

/**
 * Failed sign-ins counted per source address and per account over a sliding window (docs/security.md): past a
 * limit, further sign-ins from that source, or of that account, are refused until the oldest failure that counts
 * leaves the window. The failures live in the store so every query replica counts the same ones
 * (workers/adapters/identity/store-sign-in-throttle.ts, docs/adr/0090). Pure: the rules and the stored shape.
 */
export interface ThrottleLimits {
  perSource: number;
  perAccount: number;
  windowMs: number;
}

export type ThrottleSubject = { source: string } | { account: string };

/** The text a subject is stored under (hashed into its object key: addresses and e-mails stay out of keys). */
export const throttleSubjectKey = (s: ThrottleSubject) =>
  'source' in s ? `source:${s.source}` : `account:${s.account}`;

export const throttleLimitOf = (limits: ThrottleLimits, s: ThrottleSubject) =>
  'source' in s ? limits.perSource : limits.perAccount;

/**
 * A subject's failures in one window-long bucket of time. Only the newest `limit` failures can ever decide a
 * refusal (the limit-th newest is the one that must leave the window), so a document never holds more.
 */
export const signInFailuresSchema = z.object({
  subject: z.string().min(1).max(1100),
  times: z.array(z.number().int().min(0)).max(100_000),
});
export type SignInFailures = z.output<typeof signInFailuresSchema>;

/** The bucket a time falls in: failures of the window before `now` sit in now's bucket or the one before. */
export const failureBucket = (now: number, windowMs: number) => Math.floor(now / windowMs);

/**
 * The failures still in the window at `now`, oldest first, at most the newest `limit`. A failure stamped after
 * `now` counts too: another replica's clock or a concurrent writer may be ahead, and dropping it would lose it.
 */
export function recentFailures(
  times: readonly number[],
  now: number,
  windowMs: number,
  limit: number,
): number[] {
  const recent = times.filter((t) => t > now - windowMs).sort((a, b) => a - b);
  return recent.slice(Math.max(0, recent.length - limit));
}

/** Seconds until the subject may try again (at least 1), or undefined when it may try now. */
export function retryAfterSeconds(
  times: readonly number[],
  now: number,
  windowMs: number,
  limit: number,
): number | undefined {
  const recent = recentFailures(times, now, windowMs, limit);
  if (recent.length < limit) return undefined;
  const freedAt = recent[0]! + windowMs;
  return Math.max(1, Math.ceil((freedAt - now) / 1000));
}

/** A bucket's failures with one more at `now`: what a replica writes back (conditionally) after a failure. */
export function withFailure(
  stored: readonly number[],
  now: number,
  windowMs: number,
  limit: number,
): number[] {
  return recentFailures([...stored, now], now, windowMs, limit);
}
