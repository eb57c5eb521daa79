import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGravix, type GravixProcess } from '../../testbin/harness/gravix-process.js';
import { projectedSecret, type ProjectedSecret } from '../../testbin/harness/projected-secret.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { hashApiKey } from '../domain/api-keys.js';
import { keysServersEnv, keysServersPorts } from './testing/keys-servers-env.js';
import { postProbeFact } from './testing/post-probe-fact.js';

const reloadMs = 500;
let secret: ProjectedSecret;
let ingest: GravixProcess;
let query: GravixProcess;
const urls = { ingest: '', query: '', ingestMetrics: '', queryMetrics: '' };

/** The keys file as the operator writes it: an ingest key and an admin key of tenant acme, digests only. */
const keysFile = (ingestSecret: string, adminSecret: string) =>
  JSON.stringify({
    keys: [
      { name: 'ci', tenant: 'acme', sha256: hashApiKey(ingestSecret), scopes: ['ingest'] },
      { name: 'root', tenant: 'acme', sha256: hashApiKey(adminSecret), scopes: ['admin'] },
    ],
  });

const postFact = (key: string) => postProbeFact(urls.ingest, key).then((r) => r.status);

const listKeys = (key: string) =>
  fetch(`${urls.query}/api/v1/keys`, { headers: { authorization: `Bearer ${key}` } });

/** Which of these secrets each server accepts now: ingest by a fact, query by the admin key list. */
const accepted = async (ingestSecrets: string[], adminSecrets: string[]) => ({
  ingest: await Promise.all(ingestSecrets.map(async (s) => (await postFact(s)) === 200)),
  query: await Promise.all(adminSecrets.map(async (s) => (await listKeys(s)).status === 200)),
});

const metric = async (url: string, name: string) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

const keysFileHealth = async () => ({
  failures: [
    await metric(urls.ingestMetrics, 'gravix_api_keys_file_reload_failures_total'),
    await metric(urls.queryMetrics, 'gravix_api_keys_file_reload_failures_total'),
  ],
  stale: [
    await metric(urls.ingestMetrics, 'gravix_api_keys_file_stale'),
    await metric(urls.queryMetrics, 'gravix_api_keys_file_stale'),
  ],
});

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gx-keys-file-'));
  secret = projectedSecret(mkdtempSync(join(dir, 'secret-')), 'keys.json', keysFile('ingest-1', 'admin-1'));
  const ports = await keysServersPorts();
  Object.assign(urls, {
    ingest: `http://127.0.0.1:${ports.ingest}`,
    query: `http://127.0.0.1:${ports.query}`,
    ingestMetrics: `http://127.0.0.1:${ports.ingestMetrics}`,
    queryMetrics: `http://127.0.0.1:${ports.queryMetrics}`,
  });
  const env = keysServersEnv({ dataDir: dir, keysFile: secret.path, ports, reloadMs });
  ingest = await startGravix('ingest', env, `${urls.ingest}/ready`);
  query = await startGravix('query', env, `${urls.query}/ready`);
}, 300_000);

afterAll(async () => {
  await ingest?.kill();
  await query?.kill();
});

describe('a keys file Secret rotated under running gravix ingest and gravix query (no restart)', () => {
  it('applies a kubelet-style swap within the reload interval, keeps the last good keys through a bad version', async () => {
    expect(await accepted(['ingest-1'], ['admin-1'])).toEqual({ ingest: [true], query: [true] });
    expect(await keysFileHealth()).toEqual({ failures: [0, 0], stale: [0, 0] });

    // Rotation: the Secret's keys.json now holds new digests under the same names.
    secret.update(keysFile('ingest-2', 'admin-2'));
    const rotated = await waitUntil(
      async () => {
        const now = await accepted(['ingest-1', 'ingest-2'], ['admin-1', 'admin-2']);
        return JSON.stringify(now) === JSON.stringify({ ingest: [false, true], query: [false, true] }) && now;
      },
      // A tick is 0.5 s; the bound only keeps a broken build from hanging the suite at load 50.
      { what: 'both servers on the rotated keys', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(rotated).toEqual({ ingest: [false, true], query: [false, true] });
    expect([ingest.proc.running, query.proc.running]).toEqual([true, true]);
    // The old secret is refused like any unknown key.
    const refused = await fetch(`${urls.ingest}/api/v1/facts`, {
      method: 'POST',
      headers: { authorization: 'Bearer ingest-1', 'content-type': 'application/json' },
      body: '[]',
    });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    // The key API lists the file's keys as they are now, never a digest.
    const listed = await (await listKeys('admin-2')).text();
    expect((JSON.parse(listed) as { fileKeys: { name: string }[] }).fileKeys.map((k) => k.name)).toEqual([
      'ci',
      'root',
    ]);
    expect(listed).not.toContain(hashApiKey('admin-2'));

    // A version that does not parse: both servers keep the rotated keys, log it and say so on /metrics.
    secret.update('{"keys": [{"name": "ci", "tenant": "acme", "sha256": ');
    await waitUntil(
      async () => JSON.stringify(await keysFileHealth()) === '{"failures":[1,1],"stale":[1,1]}',
      { what: 'the bad version counted on both servers', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(await accepted(['ingest-2'], ['admin-2'])).toEqual({ ingest: [true], query: [true] });
    for (const p of [ingest, query])
      expect(readFileSync(p.proc.logPath, 'utf8')).toContain(
        '"msg":"api keys file not reloaded; the last good keys stay in force"',
      );

    // The next good version applies and clears the stale mark; the count of bad versions stays.
    secret.update(keysFile('ingest-3', 'admin-3'));
    await waitUntil(
      async () =>
        JSON.stringify(await accepted(['ingest-3'], ['admin-3'])) === '{"ingest":[true],"query":[true]}',
      { what: 'the fixed version in force', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(await accepted(['ingest-2'], ['admin-2'])).toEqual({ ingest: [false], query: [false] });
    expect(await keysFileHealth()).toEqual({ failures: [1, 1], stale: [0, 0] });
    expect([ingest.proc.running, query.proc.running]).toEqual([true, true]);
  }, 120_000);

  it('refuses a version naming one key twice (the last good keys stay in force), as any bad version', async () => {
    secret.update(keysFile('ingest-4', 'admin-4'));
    await waitUntil(
      async () =>
        JSON.stringify(await accepted(['ingest-4'], ['admin-4'])) === '{"ingest":[true],"query":[true]}',
      { what: 'a good version in force', timeoutMs: 30_000, intervalMs: 100 },
    );
    const before = await keysFileHealth();
    // Two entries named ci (in another case): which one an audit actor `key:ci` means could not be told.
    const twice = JSON.parse(keysFile('ingest-5', 'admin-5')) as { keys: object[] };
    twice.keys.push({ name: 'CI', tenant: 'acme', sha256: hashApiKey('ingest-6'), scopes: ['ingest'] });
    secret.update(JSON.stringify(twice));
    await waitUntil(async () => (await keysFileHealth()).stale.every((s) => s === 1), {
      what: 'the duplicate version refused on both servers',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect((await keysFileHealth()).failures).toEqual(before.failures.map((n) => (n ?? 0) + 1));
    expect(await accepted(['ingest-4', 'ingest-5', 'ingest-6'], ['admin-4', 'admin-5'])).toEqual({
      ingest: [true, false, false],
      query: [true, false],
    });
    for (const p of [ingest, query])
      expect(readFileSync(p.proc.logPath, 'utf8')).toContain(
        `keys.2.name: \\"CI\\" of tenant acme is also keys.0's name`,
      );
  }, 120_000);

  it('rotates by file with an overlap window: the old secret is never refused inside it, then is', async () => {
    secret.update(keysFile('ingest-7', 'admin-7'));
    await waitUntil(
      async () =>
        (await postFact('ingest-7')) === 200 && (await keysFileHealth()).stale.every((s) => s === 0),
      { what: 'the old secret in force', timeoutMs: 30_000, intervalMs: 100 },
    );
    // The window is wide enough to be observed at load 50; its end is asserted by waiting for it, never by a sleep.
    const notAfter = Date.now() + 20_000;
    // The key's own end (the entry's notAfter), later than the window: listed as expiresAt throughout.
    const keyEnd = Date.now() + 3_600_000;
    const rotated = {
      keys: [
        {
          name: 'ci',
          tenant: 'acme',
          sha256: hashApiKey('ingest-8'),
          scopes: ['ingest'],
          notAfter: new Date(keyEnd).toISOString(),
          previous: [{ sha256: hashApiKey('ingest-7'), notAfter: new Date(notAfter).toISOString() }],
        },
        { name: 'root', tenant: 'acme', sha256: hashApiKey('admin-7'), scopes: ['admin'] },
      ],
    };
    secret.update(JSON.stringify(rotated));
    // Listed at once, before either server's tick: the query server answers the file as it is when asked (it used
    // to answer the version before the rotation until its own tick: previousUntil null inside the window).
    const inWindow = (await (await listKeys('admin-7')).json()) as { fileKeys: object[] };
    expect(Date.now()).toBeLessThan(notAfter);
    const ci = { id: 'file:ci', name: 'ci', scopes: ['ingest'], source: 'file' };
    const root = { id: 'file:root', name: 'root', scopes: ['admin'], source: 'file' };
    expect(inWindow.fileKeys).toMatchObject([
      { ...ci, expiresAt: keyEnd, previousUntil: notAfter },
      { ...root, expiresAt: null, previousUntil: null },
    ]);
    // Clients on the old secret keep sending while the servers pick the new version up: not one is refused.
    const oldStatuses: number[] = [];
    await waitUntil(
      async () => {
        oldStatuses.push(await postFact('ingest-7'));
        return (await postFact('ingest-8')) === 200;
      },
      { what: 'the new secret accepted', timeoutMs: 15_000, intervalMs: 50 },
    );
    expect(Date.now()).toBeLessThan(notAfter);
    expect(new Set(oldStatuses)).toEqual(new Set([200]));
    // The query server knows the old secret too: a key without the admin scope (403), not an unknown one (401).
    expect((await listKeys('ingest-7')).status).toBe(403);

    // After the window the old secret is refused (no reload needed: the end is part of the key in force).
    await waitUntil(async () => (await postFact('ingest-7')) === 401, {
      what: 'the old secret refused after its window',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    expect(Date.now()).toBeGreaterThanOrEqual(notAfter);
    expect((await listKeys('ingest-7')).status).toBe(401);
    expect(await postFact('ingest-8')).toBe(200);
    // One key, listed once, whichever secret its clients used; no old secret works any more.
    const after = (await (await listKeys('admin-7')).json()) as { fileKeys: object[] };
    expect(after.fileKeys).toMatchObject([
      { ...ci, expiresAt: keyEnd, previousUntil: null },
      { ...root, expiresAt: null, previousUntil: null },
    ]);
  }, 120_000);
});
