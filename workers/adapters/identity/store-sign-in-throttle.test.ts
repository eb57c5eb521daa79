import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LocalObjectStore } from '../object-store/local-object-store.js';
import { signInFailuresKey, signInFailuresPrefix } from '../../domain/identity-layout.js';
import type { ThrottleSubject } from '../../domain/sign-in-throttle.js';
import { StoreSignInThrottle } from './store-sign-in-throttle.js';

const limits = { perSource: 3, perAccount: 2, windowMs: 60_000 };
const log = pino({ level: 'silent' });
const newStore = () => new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gx-throttle-')));
const t0 = 6_000_000; // the start of bucket 100

/** Attempts of each subject at `now` that were let through and then failed (they stay counted). */
async function failed(throttle: StoreSignInThrottle, subjects: ThrottleSubject[], now: number) {
  for (const subject of subjects) expect(await throttle.attempt(subject, now)).toBeUndefined();
}

describe('StoreSignInThrottle (failures shared by every replica through the store)', () => {
  it('refuses a source on one replica after failures recorded on another, until the window passes', async () => {
    const store = newStore();
    const [a, b] = [new StoreSignInThrottle(store, limits, log), new StoreSignInThrottle(store, limits, log)];
    await failed(a, [{ source: '10.0.0.1' }], t0);
    await failed(b, [{ source: '10.0.0.1' }], t0 + 10_000);
    expect(await a.retryAfterSeconds({ source: '10.0.0.1' }, t0 + 15_000)).toBeUndefined();
    await failed(a, [{ source: '10.0.0.1' }], t0 + 20_000);
    expect(await b.retryAfterSeconds({ source: '10.0.0.1' }, t0 + 30_000)).toBe(30);
    expect(await b.retryAfterSeconds({ source: '10.0.0.2' }, t0 + 30_000)).toBeUndefined();
    expect(await a.retryAfterSeconds({ source: '10.0.0.1' }, t0 + 60_001)).toBeUndefined();
  });

  it('counts failures across a bucket boundary (the window slides, the buckets do not)', async () => {
    const store = newStore();
    const a = new StoreSignInThrottle(store, limits, log);
    await failed(a, [{ account: 'user:nora' }], t0 + 50_000);
    await failed(a, [{ account: 'user:nora' }], t0 + 70_000);
    expect(await a.retryAfterSeconds({ account: 'user:nora' }, t0 + 80_000)).toBe(30);
    expect(await a.retryAfterSeconds({ source: 'x' }, t0 + 80_000)).toBeUndefined();
  });

  it('loses no failure when many replicas record at once (conditional puts)', async () => {
    const store = newStore();
    const replicas = Array.from(
      { length: 4 },
      () => new StoreSignInThrottle(store, { ...limits, perSource: 50 }, log),
    );
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => failed(replicas[i % 4]!, [{ source: 's' }], t0 + i)),
    );
    const object = (await store.list(signInFailuresPrefix))[0]!;
    const stored = JSON.parse(new TextDecoder().decode((await store.get(object.key))!.body)) as {
      times: number[];
    };
    expect(stored.times).toHaveLength(20);
  });

  it('keeps addresses and accounts out of object keys, and deletes buckets older than the window', async () => {
    const store = newStore();
    const a = new StoreSignInThrottle(store, limits, log);
    await failed(a, [{ source: '10.9.9.9' }, { account: 'user:ada@example.com' }], t0);
    await failed(a, [{ source: '10.9.9.9' }], t0 + 60_000);
    expect((await store.list(signInFailuresPrefix)).map((o) => o.key).join()).not.toMatch(/10\.9|ada/);
    expect(await store.list(`${signInFailuresPrefix}window=100/`)).toHaveLength(2);
    await failed(a, [{ source: '10.9.9.9' }], t0 + 120_000);
    expect(await store.list(`${signInFailuresPrefix}window=100/`)).toHaveLength(0);
    expect((await store.list(signInFailuresPrefix)).map((o) => o.key)).toEqual([
      expect.stringMatching(/^identity\/sign-in-failures\/window=101\/[0-9a-f]{64}\.json$/),
      expect.stringMatching(/^identity\/sign-in-failures\/window=102\/[0-9a-f]{64}\.json$/),
    ]);
  });

  it('counts an unreadable object as no failures and replaces it with the next one', async () => {
    const store = newStore();
    const a = new StoreSignInThrottle(store, { ...limits, perSource: 1 }, log);
    await failed(a, [{ source: 's' }], t0);
    const [object] = await store.list(signInFailuresPrefix);
    await store.put(object!.key, new TextEncoder().encode('{not json'));
    expect(await a.retryAfterSeconds({ source: 's' }, t0 + 1)).toBeUndefined();
    await failed(a, [{ source: 's' }], t0 + 2);
    expect(await a.retryAfterSeconds({ source: 's' }, t0 + 3)).toBe(60);
    expect(signInFailuresKey(100, 'x')).toBe('identity/sign-in-failures/window=100/x.json');
  });

  it('checks and counts in one step: of a burst of concurrent attempts on several replicas, exactly the limit pass', async () => {
    const store = newStore();
    const replicas = Array.from({ length: 4 }, () => new StoreSignInThrottle(store, limits, log));
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) => replicas[i % 4]!.attempt({ source: 'burst' }, t0 + i)),
    );
    expect(answers.filter((a) => a === undefined)).toHaveLength(limits.perSource);
    expect(answers.filter((a) => typeof a === 'number' && a > 0)).toHaveLength(16 - limits.perSource);
    expect(await replicas[0]!.retryAfterSeconds({ source: 'burst' }, t0 + 20)).toBeGreaterThan(0);
  });

  it('takes back an attempt that did not fail, and only that one', async () => {
    const store = newStore();
    const a = new StoreSignInThrottle(store, limits, log);
    await failed(a, [{ account: 'user:ada' }], t0);
    expect(await a.attempt({ account: 'user:ada' }, t0 + 5)).toBeUndefined();
    expect(await a.retryAfterSeconds({ account: 'user:ada' }, t0 + 6)).toBe(60);
    await a.forgive([{ account: 'user:ada' }, { source: 'never-tried' }], t0 + 5);
    expect(await a.retryAfterSeconds({ account: 'user:ada' }, t0 + 6)).toBeUndefined();
    expect(await a.attempt({ account: 'user:ada' }, t0 + 7)).toBeUndefined();
    expect(await a.attempt({ account: 'user:ada' }, t0 + 8)).toBe(60);
  });
});
