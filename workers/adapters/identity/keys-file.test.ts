import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { hashApiKey } from '../../domain/api-keys.js';
import { KeyRing } from '../../domain/key-ring.js';
import { listFileKeys } from '../../domain/managed-keys.js';
import { ObjectStoreUnavailableError } from '../object-store/object-store.js';
import { LocalObjectStore } from '../object-store/local-object-store.js';
import { ObjectKeyStore } from './key-store.js';
import { KeysFile, registerKeysFileMetrics } from './keys-file.js';
import { LiveKeys } from './live-keys.js';
import { projectedSecret } from '../../../testbin/harness/projected-secret.js';
import { capturedLog } from '../../../testbin/harness/captured-log.js';

const keysJson = (...secrets: string[]) =>
  JSON.stringify({
    keys: secrets.map((s, i) => ({
      name: `k${i}`,
      tenant: 'acme',
      sha256: hashApiKey(s),
      scopes: ['ingest'],
    })),
  });

const accepts = (file: KeysFile, secret: string) =>
  'entry' in new KeyRing(file.entries()).lookup(secret, Date.now()) &&
  !('refused' in new KeyRing(file.entries()).lookup(secret, Date.now()));

describe('KeysFile', () => {
  it('follows a kubelet-style Secret swap (..data symlink renamed to a new directory) on the next poll', () => {
    const secret = projectedSecret(mkdtempSync(join(tmpdir(), 'keys-file-')), 'keys.json', keysJson('old'));
    const { log, lines } = capturedLog();
    const file = new KeysFile(secret.path, log);
    expect(file.poll()).toBe(false);
    expect(accepts(file, 'old')).toBe(true);

    secret.update(keysJson('new', 'other'));
    expect(file.poll()).toBe(true);
    expect([accepts(file, 'old'), accepts(file, 'new'), accepts(file, 'other')]).toEqual([false, true, true]);
    expect(file.poll()).toBe(false);
    expect(lines.filter((l) => l['msg'] === 'api keys file reloaded')).toEqual([
      expect.objectContaining({ keys: 2, path: secret.path }),
    ]);
  });

  it('sees a file rewritten in place too', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'keys-file-')), 'keys.json');
    writeFileSync(path, keysJson('a'));
    const file = new KeysFile(path, pino({ level: 'silent' }));
    writeFileSync(path, keysJson('b', 'c'));
    expect(file.poll()).toBe(true);
    expect(accepts(file, 'b')).toBe(true);
  });

  it('keeps the last good keys through a bad version and a missing file, logging and counting each once', async () => {
    const secret = projectedSecret(mkdtempSync(join(tmpdir(), 'keys-file-')), 'keys.json', keysJson('good'));
    const { log, lines } = capturedLog();
    const file = new KeysFile(secret.path, log);
    const registry = new Registry();
    registerKeysFileMetrics(registry, file);
    const metrics = async () =>
      (await registry.metrics()).split('\n').filter((l) => l.startsWith('gravix_api_keys_file_'));

    secret.update('{"keys": [');
    for (let i = 0; i < 3; i++) expect(file.poll()).toBe(false);
    expect(accepts(file, 'good')).toBe(true);
    secret.update(JSON.stringify({ keys: [{ name: 'x', tenant: 'acme', sha256: 'nope' }] }));
    expect(file.poll()).toBe(false);
    secret.remove();
    expect(file.poll()).toBe(false);
    expect(file.poll()).toBe(false);
    expect(accepts(file, 'good')).toBe(true);
    expect(await metrics()).toEqual([
      'gravix_api_keys_file_reload_failures_total 3',
      'gravix_api_keys_file_stale 1',
    ]);
    const refused = lines.filter(
      (l) => l['msg'] === 'api keys file not reloaded; the last good keys stay in force',
    );
    expect(refused.map((l) => l['problem'])).toEqual([
      expect.stringMatching(/^API keys file is not JSON: /),
      'API keys file is invalid: keys.0.sha256: must be 64 lowercase hex characters',
      expect.stringMatching(/ENOENT/),
    ]);
    expect(refused.every((l) => l['level'] === 50)).toBe(true);

    secret.restore(keysJson('fixed'));
    expect(file.poll()).toBe(true);
    expect([accepts(file, 'good'), accepts(file, 'fixed')]).toEqual([false, true]);
    expect(await metrics()).toEqual([
      'gravix_api_keys_file_reload_failures_total 3',
      'gravix_api_keys_file_stale 0',
    ]);
  });

  it('refuses to start on a bad file: a server without valid keys must not come up', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'keys-file-')), 'keys.json');
    writeFileSync(path, '{}');
    expect(() => new KeysFile(path, pino({ level: 'silent' }))).toThrow(
      'API keys file is invalid: keys: Invalid input: expected array, received undefined',
    );
  });
});

describe('LiveKeys with a keys file', () => {
  it('applies a rotated file on the next tick even while the object store is down', async () => {
    const secret = projectedSecret(
      mkdtempSync(join(tmpdir(), 'keys-file-')),
      'keys.json',
      keysJson('before'),
    );
    const store = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'keys-store-')));
    let down = false;
    const original = store.head.bind(store);
    store.head = async (key: string) => {
      if (down) throw new ObjectStoreUnavailableError('store down for the test');
      return original(key);
    };
    const keys = await LiveKeys.start({
      fileKeys: new KeysFile(secret.path, pino({ level: 'silent' })),
      store: new ObjectKeyStore(store),
      reloadMs: 3_600_000,
      usageFlushMs: 3_600_000,
      instance: 'test',
      log: pino({ level: 'silent' }),
    });
    try {
      down = true;
      secret.update(keysJson('after'));
      await keys.reload();
      const works = (secret: string) => !('refused' in keys.ring().lookup(secret, Date.now()));
      expect([works('before'), works('after')]).toEqual([false, true]);
      expect((await keys.fileEntries()).map((e) => e.sha256)).toEqual([hashApiKey('after')]);
    } finally {
      await keys.stop();
    }
  });

  it('answers the file as it is when asked, not as of the last tick: a rotation by file listed with its window', async () => {
    // Issue #22: the key list of a server whose tick had not come yet showed the version before the rotation
    // (previousUntil null inside the window) while its ring was also still on that version.
    const one = (sha256: string, previous: object[] = []) =>
      JSON.stringify({ keys: [{ name: 'ci', tenant: 'acme', sha256, scopes: ['ingest'], previous }] });
    const secret = projectedSecret(
      mkdtempSync(join(tmpdir(), 'keys-file-')),
      'keys.json',
      one(hashApiKey('old')),
    );
    const keys = await LiveKeys.start({
      fileKeys: new KeysFile(secret.path, pino({ level: 'silent' })),
      store: new ObjectKeyStore(new LocalObjectStore(mkdtempSync(join(tmpdir(), 'keys-store-')))),
      // No tick comes during the test: only the listing itself can see the new version.
      reloadMs: 3_600_000,
      usageFlushMs: 3_600_000,
      instance: 'test',
      log: pino({ level: 'silent' }),
    });
    try {
      const notAfter = Date.UTC(2099, 0, 1);
      secret.update(
        one(hashApiKey('new'), [{ sha256: hashApiKey('old'), notAfter: new Date(notAfter).toISOString() }]),
      );
      const listed = listFileKeys(await keys.fileEntries(), 'acme', new Map(), Date.now());
      expect(listed).toMatchObject([{ id: 'file:ci', expiresAt: null, previousUntil: notAfter }]);
      // What is listed is what this server accepts: both secrets, as one key.
      const works = (s: string) => keys.ring().lookup(s, Date.now());
      expect([works('old'), works('new')]).toMatchObject([
        { entry: { id: 'file:ci' } },
        { entry: { id: 'file:ci' } },
      ]);
    } finally {
      await keys.stop();
    }
  });
});
