import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDataDirLock, DataDirInUseError, lockAddress, readLockHolder } from './data-dir-lock.js';

const newDataDir = () => join(mkdtempSync(join(tmpdir(), 'gx-lock-')), 'data');

/** A plain node process that listens on `address` as a holder would, until it is killed. */
async function foreignHolder(address: string, state: 'running' | 'stopping') {
  const holder = JSON.stringify({ pid: 0, dataDir: 'elsewhere', state });
  const code = `const s = require('net').createServer((c) => c.end(${JSON.stringify(holder)}));
    s.listen({ path: ${JSON.stringify(address)} }, () => console.log('listening'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return child;
}

describe('acquireDataDirLock', () => {
  it('refuses a second pipeline on the same directory, naming the holder, until the first releases it', async () => {
    const dir = newDataDir();
    const first = await acquireDataDirLock(dir, { pid: 111 });
    expect(existsSync(dir)).toBe(true);
    const refused = acquireDataDirLock(dir, { pid: 222 });
    await expect(refused).rejects.toThrow(DataDirInUseError);
    await expect(acquireDataDirLock(dir)).rejects.toThrow(
      `GRAVIX_DATA_DIR=${JSON.stringify(realpathSync(dir))}: in use by another gravix dev (pid 111, running); ` +
        'one pipeline per data directory (stop it, or set another GRAVIX_DATA_DIR)',
    );
    await first.release();
    const second = await acquireDataDirLock(dir, { pid: 222 });
    expect(await readLockHolder(lockAddress(realpathSync(dir)))).toEqual({
      pid: 222,
      dataDir: realpathSync(dir),
      state: 'running',
    });
    await second.release();
  });

  it('takes two directories at once, and the same directory named by another path', async () => {
    const [a, b] = [newDataDir(), newDataDir()];
    const locks = [await acquireDataDirLock(a), await acquireDataDirLock(b)];
    await expect(acquireDataDirLock(join(a, '..', 'data'))).rejects.toThrow(DataDirInUseError);
    await Promise.all(locks.map((l) => l.release()));
  });

  it('waits for a holder that is stopping, and fails when it does not stop in time', async () => {
    const dir = newDataDir();
    const first = await acquireDataDirLock(dir);
    first.markStopping();
    await expect(acquireDataDirLock(dir, { waitForStoppingMs: 300, pollMs: 50 })).rejects.toThrow(
      /\(pid \d+, stopping\)/,
    );
    const waiting = acquireDataDirLock(dir, { waitForStoppingMs: 20_000, pollMs: 50 });
    setTimeout(() => void first.release(), 300);
    const second = await waiting;
    expect(second.holder.state).toBe('running');
    await second.release();
  });

  it('is free the moment a holder dies by SIGKILL (the kernel closes its socket)', async () => {
    const dir = newDataDir();
    await acquireDataDirLock(dir).then((l) => l.release());
    const holder = await foreignHolder(lockAddress(realpathSync(dir)), 'running');
    await expect(acquireDataDirLock(dir)).rejects.toThrow(/pid 0, running/);
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    const lock = await acquireDataDirLock(dir);
    await lock.release();
  });

  it('takes over a socket file a killed holder left where abstract sockets do not exist', async () => {
    const dir = newDataDir();
    await acquireDataDirLock(dir, { platform: 'darwin' }).then((l) => l.release());
    const address = lockAddress(realpathSync(dir), 'darwin');
    expect(address).toBe(join(realpathSync(dir), '.gravix-dev.lock'));
    const code = `require('net').createServer().listen(${JSON.stringify(address)}, () => process.kill(process.pid, 'SIGKILL'))`;
    expect(spawnSync(process.execPath, ['-e', code]).signal).toBe('SIGKILL');
    expect(existsSync(address)).toBe(true);
    const lock = await acquireDataDirLock(dir, { platform: 'darwin' });
    await expect(acquireDataDirLock(dir, { platform: 'darwin' })).rejects.toThrow(DataDirInUseError);
    await lock.release();
  });
});
