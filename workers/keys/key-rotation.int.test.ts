import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { builtCli } from '../../testbin/harness/built-cli.js';
import { freePort } from '../../testbin/harness/free-port.js';
import { startGravix, type GravixProcess } from '../../testbin/harness/gravix-process.js';
import { hashApiKey } from '../domain/api-keys.js';
import { keysServersEnv, keysServersPorts } from './testing/keys-servers-env.js';
import { postProbeFact } from './testing/post-probe-fact.js';

const run = promisify(execFile);
const rootKey = 'root-admin-secret';
let dir: string;
let ingestUrl: string;
let queryUrl: string;
const processes: GravixProcess[] = [];

/** `gravix keys ...` from the built CLI against the query server, as an admin would run it. */
async function keys(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const env = { ...process.env, GRAVIX_URL: queryUrl, GRAVIX_KEY: rootKey };
    const { stdout, stderr } = await run(process.execPath, [await builtCli(), 'keys', ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `gravix loadgen` from the built CLI: exit code 0 only when every batch was accepted. */
async function loadgen(key: string, seconds: number): Promise<number> {
  const args = ['loadgen', '--url', ingestUrl, '--key', key, '--rate', '100', '--duration', String(seconds)];
  try {
    await run(process.execPath, [await builtCli(), ...args], {
      env: { ...process.env, GRAVIX_LOG_LEVEL: 'warn' },
    });
    return 0;
  } catch (error) {
    return (error as { code: number }).code;
  }
}

const post = (key: string) => postProbeFact(ingestUrl, key);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gx-keys-'));
  const keysFile = join(dir, 'api-keys.json');
  writeFileSync(
    keysFile,
    JSON.stringify({
      keys: [
        { name: 'root', tenant: 'acme', sha256: hashApiKey(rootKey), scopes: ['admin'] },
        { name: 'globex-ingest', tenant: 'globex', sha256: hashApiKey('globex-secret'), scopes: ['ingest'] },
      ],
    }),
  );
  const ports = await keysServersPorts();
  ingestUrl = `http://127.0.0.1:${ports.ingest}`;
  queryUrl = `http://127.0.0.1:${ports.query}`;
  const env = keysServersEnv({ dataDir: dir, keysFile, ports, reloadMs: 300 });
  processes.push(await startGravix('ingest', env, `${ingestUrl}/ready`));
  processes.push(await startGravix('query', env, `${queryUrl}/ready`));
}, 180_000);

afterAll(async () => {
  for (const p of processes) await p.kill();
});

describe('key lifecycle across gravix ingest and gravix query, driven by gravix keys', () => {
  it('rotates under loadgen load with no refused batch, and refuses a revoked key at once', async () => {
    const created = await keys('create', '--name', 'ci', '--scopes', 'ingest');
    expect(created).toMatchObject({ code: 0 });
    const first = JSON.parse(created.stdout) as { key: { id: string }; secret: string };
    // The answer arrives after every server's reload: the new secret works on the ingest server right away.
    expect((await post(first.secret)).status).toBe(200);

    const oldLoad = loadgen(first.secret, 8);
    await sleep(2500);
    const rotated = await keys('rotate', first.key.id, '--overlap', '60');
    expect(rotated).toMatchObject({ code: 0 });
    const second = JSON.parse(rotated.stdout) as { key: { id: string; rotatedFrom: string }; secret: string };
    expect(second.key.rotatedFrom).toBe(first.key.id);
    const newLoad = loadgen(second.secret, 4);
    // Old secret inside its overlap window and new secret, both under load: every batch accepted.
    expect(await Promise.all([oldLoad, newLoad])).toEqual([0, 0]);

    expect(await keys('revoke', second.key.id)).toMatchObject({ code: 0 });
    const refused = await post(second.secret);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: unknown }).error).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'the API key has been revoked',
    });
    expect(await keys('revoke', first.key.id)).toMatchObject({ code: 0 });
    expect((await post(first.secret)).status).toBe(401);

    // Usage files are written every 10 reload intervals (3 s here).
    await sleep(3500);
    const listed = await keys('list');
    expect(listed.code).toBe(0);
    for (const secret of [first.secret, second.secret]) {
      expect(listed.stdout).not.toContain(secret);
      expect(listed.stdout).not.toContain(hashApiKey(secret));
    }
    const answer = JSON.parse(listed.stdout) as {
      keys: { id: string; state: string; lastUsedAt: number | null }[];
      fileKeys: { id: string; lastUsedAt: number | null }[];
    };
    const views = answer.keys;
    expect(views.map((k) => [k.id, k.state])).toEqual([
      [first.key.id, 'revoked'],
      [second.key.id, 'revoked'],
    ]);
    expect(views.every((k) => k.lastUsedAt !== null)).toBe(true);
    // The keys file's key of this tenant is listed too (issue #22), marked as such, never its digest; another
    // tenant's file key is not.
    expect(answer.fileKeys).toEqual([
      {
        id: 'file:root',
        name: 'root',
        scopes: ['admin'],
        source: 'file',
        lastUsedAt: expect.any(Number),
        expiresAt: null,
        previousUntil: null,
      },
    ]);
    expect(listed.stdout).not.toContain(hashApiKey(rootKey));

    const audit = (await fetch(`${queryUrl}/api/v1/audit`, {
      headers: { authorization: `Bearer ${rootKey}` },
    }).then((r) => r.json())) as {
      events: { action: string; actor: string; target: string; from: string }[];
    };
    expect(audit.events.map((e) => [e.action, e.target, e.actor])).toEqual([
      ['key.create', first.key.id, 'key:root'],
      ['key.rotate', first.key.id, 'key:root'],
      ['key.revoke', second.key.id, 'key:root'],
      ['key.revoke', first.key.id, 'key:root'],
    ]);
    expect(audit.events.every((e) => e.from.endsWith('127.0.0.1'))).toBe(true);
  }, 180_000);

  it('answers bad arguments, bad ids, an unreachable server and a viewer with clear errors and exit codes', async () => {
    const unreachable = await run(
      process.execPath,
      [await builtCli(), 'keys', 'list', '--url', `http://127.0.0.1:${await freePort()}`],
      { env: { ...process.env, GRAVIX_KEY: rootKey } },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(unreachable).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^gravix keys: cannot reach the query server at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/,
      ),
    });
    expect(await keys('rotate', 'nope')).toMatchObject({
      code: 2,
      stderr: "gravix keys: rotate needs a key id (gk_ and 16 hex digits), got 'nope'\n",
    });
    expect(await keys('create', '--name', 'x', '--scopes', 'root')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        '--scopes must be a comma-separated list of ingest, query, operator, admin',
      ),
    });
    const missing = await keys('revoke', 'gk_0000000000000000');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { code: 'KEY_NOT_FOUND', field: 'id' } });
    const viewer = await keys('create', '--name', 'viewer', '--scopes', 'query');
    const { secret, key: viewerKey } = JSON.parse(viewer.stdout) as { secret: string; key: { id: string } };
    // A name in use in the tenant, by a managed key (in any case) or by a key of the keys file: 409, exit 1.
    const again = await keys('create', '--name', 'Viewer', '--scopes', 'query');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr)).toEqual({
      error: {
        code: 'KEY_NAME_TAKEN',
        field: 'name',
        message:
          `name 'Viewer' is taken in tenant 'acme' by key ${viewerKey.id}, which still works; rotate that key for ` +
          'a new secret, revoke it first, or choose another name',
        request_id: expect.any(String),
      },
    });
    const fileName = await keys('create', '--name', 'root', '--scopes', 'query');
    expect(fileName.code).toBe(1);
    expect(JSON.parse(fileName.stderr)).toMatchObject({
      error: {
        code: 'KEY_NAME_TAKEN',
        message:
          "name 'root' is taken in tenant 'acme' by a key of the keys file (GRAVIX_API_KEYS_FILE); choose another name",
      },
    });
    const asViewer = await run(process.execPath, [await builtCli(), 'keys', 'list'], {
      env: { ...process.env, GRAVIX_URL: queryUrl, GRAVIX_KEY: secret },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(asViewer).toMatchObject({ code: 1 });
    expect(JSON.parse((asViewer as { stderr: string }).stderr)).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
  }, 120_000);
});
