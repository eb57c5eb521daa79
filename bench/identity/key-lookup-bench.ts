import { createHash, timingSafeEqual } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { hashApiKey, type ApiKeyEntry } from '../../workers/domain/api-keys.js';
import { KeyRing } from '../../workers/domain/key-ring.js';

/**
 * Cost of authenticating one ingest request by key, per number of keys: the KeyRing (one SHA-256 + one map read)
 * beside the floor measured in the same run (the SHA-256 alone) and the lookup it replaced (a constant-time compare
 * against every key). Prints one JSON line per key count. `npm run bench:key-lookup`.
 */
function oldLookup(entries: readonly ApiKeyEntry[], presented: string): ApiKeyEntry | undefined {
  const digest = Buffer.from(hashApiKey(presented), 'hex');
  let match: ApiKeyEntry | undefined;
  for (const entry of entries)
    if (timingSafeEqual(digest, Buffer.from(entry.sha256, 'hex')) && !match) match = entry;
  return match;
}

function nsPerOp(n: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(n, 10_000); i++) fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / n;
}

for (const keyCount of [1, 100, 1000, 10_000]) {
  const secrets = Array.from({ length: keyCount }, (_, i) => `gx_secret_${i}`);
  const entries = secrets.map((s, i) => ({
    name: `k${i}`,
    tenant: 't',
    sha256: hashApiKey(s),
    scopes: ['ingest' as const],
  }));
  const ring = new KeyRing(entries);
  const iterations = keyCount >= 1000 ? 20_000 : 200_000;
  const pick = (i: number) => secrets[i % keyCount]!;
  const floor = nsPerOp(iterations, (i) => createHash('sha256').update(pick(i)).digest('hex'));
  const ringNs = nsPerOp(iterations, (i) => ring.lookup(pick(i), 0));
  const oldNs = nsPerOp(Math.min(iterations, 2000), (i) => oldLookup(entries, pick(i)));
  process.stdout.write(
    `${JSON.stringify({
      bench: 'key-lookup',
      keys: keyCount,
      floorSha256Ns: Math.round(floor),
      keyRingNs: Math.round(ringNs),
      previousLinearNs: Math.round(oldNs),
      load1: loadavg()[0],
      cpus: cpus().length,
    })}\n`,
  );
}
