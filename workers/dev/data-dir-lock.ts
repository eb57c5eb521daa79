import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import { connect, createServer, Server } from 'node:net';
import { join } from 'node:path';

/** What the holder of a data directory answers whoever connects to its lock. */
export interface LockHolder {
  pid: number;
  dataDir: string;
  /** 'stopping' once the holder is shutting down: a new pipeline may wait for it instead of failing. */
  state: 'running' | 'stopping';
}

/** A second `gravix dev` on a data directory another one still runs on. */
export class DataDirInUseError extends Error {
  readonly code = 'DATA_DIR_IN_USE';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder ? `another gravix dev (pid ${holder.pid}, ${holder.state})` : 'another gravix dev';
    super(
      `GRAVIX_DATA_DIR=${JSON.stringify(dataDir)}: in use by ${who}; one pipeline per data directory ` +
        '(stop it, or set another GRAVIX_DATA_DIR)',
    );
  }
}

export interface DataDirLock {
  readonly holder: LockHolder;
  /** Answer 'stopping' from now on, so a restart waits for this process instead of failing. */
  markStopping(): void;
  release(): Promise<void>;
}

/**
 * Where the lock of a data directory listens. On Linux an abstract socket (named after the directory's real path):
 * the kernel frees it the instant its process dies, SIGKILL included, and binding it is atomic, so neither a stale
 * file nor a race between two starts can let two pipelines share a directory. Elsewhere a socket file in the
 * directory, which a process killed with SIGKILL leaves behind: a later start that finds nobody listening on it
 * removes it (two starts racing for such a stale file can both win; Linux has no such window).
 */
export function lockAddress(realDataDir: string, platform: NodeJS.Platform = process.platform): string {
  const digest = createHash('sha256').update(realDataDir).digest('hex').slice(0, 40);
  if (platform === 'linux') return `\0gravix-dev-lock-${digest}`;
  if (platform === 'win32') return `\\\\.\\pipe\\gravix-dev-lock-${digest}`;
  return join(realDataDir, '.gravix-dev.lock');
}

/** The lock's holder, or undefined when nobody listens (the error says why connecting failed). */
export function readLockHolder(address: string, timeoutMs = 2000): Promise<LockHolder | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ path: address });
    let text = '';
    const done = (holder: LockHolder | undefined) => {
      socket.destroy();
      resolve(holder);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('end', () => {
      try {
        done(JSON.parse(text) as LockHolder);
      } catch {
        done(undefined);
      }
    });
    socket.on('error', () => done(undefined));
  });
}

function listen(server: Server, address: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => resolve(error);
    server.once('error', onError);
    server.listen({ path: address, exclusive: true }, () => {
      server.off('error', onError);
      resolve(undefined);
    });
  });
}

async function tryListen(address: string, holder: LockHolder, socketFile: boolean) {
  const server = createServer((socket) => socket.end(JSON.stringify(holder)));
  const error = await listen(server, address);
  if (!error) return server;
  if (error.code !== 'EADDRINUSE') throw error;
  const current = await readLockHolder(address);
  if (current || !socketFile) return current ?? 'in-use';
  // A socket file nobody listens on: left by a process killed with SIGKILL.
  rmSync(address, { force: true });
  const retried = await listen(server, address);
  if (retried) throw retried;
  return server;
}

export interface AcquireOptions {
  pid?: number;
  platform?: NodeJS.Platform;
  /** How long to wait for a holder that is stopping (a restart right after a stop or a launcher's death). */
  waitForStoppingMs?: number;
  pollMs?: number;
}

/**
 * Takes the data directory for this process (creating the directory), or throws DataDirInUseError naming the
 * holder. A holder that is already stopping is waited for up to `waitForStoppingMs`.
 */
export async function acquireDataDirLock(
  dataDir: string,
  options: AcquireOptions = {},
): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const realDir = realpathSync(dataDir);
  const platform = options.platform ?? process.platform;
  const address = lockAddress(realDir, platform);
  const holder: LockHolder = { pid: options.pid ?? process.pid, dataDir: realDir, state: 'running' };
  const deadline = Date.now() + (options.waitForStoppingMs ?? 60_000);
  for (let silent = 0; ;) {
    const taken = await tryListen(address, holder, platform !== 'linux' && platform !== 'win32');
    if (taken instanceof Server) return heldLock(taken, holder);
    const current = taken === 'in-use' ? undefined : taken;
    // Nobody answered: the holder went away between our bind and our connect (try again), or it does not answer.
    const worthWaiting = current === undefined ? ++silent <= 3 : current.state === 'stopping';
    if (!worthWaiting || Date.now() >= deadline) throw new DataDirInUseError(realDir, current);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}

function heldLock(server: Server, holder: LockHolder): DataDirLock {
  // The lock must never keep a process alive that has nothing else to do.
  server.unref();
  return {
    holder,
    markStopping: () => void (holder.state = 'stopping'),
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
