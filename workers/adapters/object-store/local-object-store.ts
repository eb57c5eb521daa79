import { randomBytes } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { parseObjectKey, parseObjectPrefix } from './object-key.js';
import {
  PreconditionFailedError,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
  type StoredObject,
} from './object-store.js';

const lockStaleMs = 30_000;

function etagOf(stats: Stats): string {
  // Every put renames a fresh file into place, so inode + size + mtime change on every write.
  return `${stats.ino.toString(16)}-${stats.size.toString(16)}-${stats.mtimeMs.toString(16)}`;
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * ObjectStore on a local directory: writes go to a temp file that is fsynced
 * and renamed (or hard-linked, for create-if-absent) into place, so a crash
 * never leaves a partial object under its key.
 */
export class LocalObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    return join(this.root, ...parseObjectKey(key).split('/'));
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<PutResult> {
    const target = this.pathOf(key);
    const dir = dirname(target);
    // Objects hold tenants' data: directories 0700 and files 0600, whatever the umask (issue #17 item 7).
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    await fs.writeFile(temp, body, { flush: true, mode: 0o600 });
    try {
      if (options.ifNoneMatch === '*') await this.linkIfAbsent(key, temp, target);
      else if (options.ifMatch !== undefined) await this.renameIfMatch(key, temp, target, options.ifMatch);
      else await fs.rename(temp, target);
    } finally {
      await fs.rm(temp, { force: true });
    }
    await fsyncDir(dir);
    return { etag: etagOf(await fs.stat(target)) };
  }

  private async linkIfAbsent(key: string, temp: string, target: string): Promise<void> {
    try {
      await fs.link(temp, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new PreconditionFailedError(`object '${key}' already exists (ifNoneMatch '*')`);
      }
      throw error;
    }
  }

  private async renameIfMatch(key: string, temp: string, target: string, etag: string): Promise<void> {
    const release = await this.lock(target);
    try {
      const current = await this.statOrUndefined(target);
      if (!current || etagOf(current) !== etag) {
        throw new PreconditionFailedError(`object '${key}' does not have etag '${etag}' (ifMatch)`);
      }
      await fs.rename(temp, target);
    } finally {
      await release();
    }
  }

  /** Cross-process lock via O_EXCL lock file; a lock older than lockStaleMs is from a dead writer. */
  private async lock(target: string): Promise<() => Promise<void>> {
    const lockPath = join(dirname(target), `.lock-${target.split(sep).pop()}`);
    for (;;) {
      try {
        await (await fs.open(lockPath, 'wx', 0o600)).close();
        return () => fs.rm(lockPath, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const stats = await this.statOrUndefined(lockPath);
        if (stats && Date.now() - stats.mtimeMs > lockStaleMs) await fs.rm(lockPath, { force: true });
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  private async statOrUndefined(path: string): Promise<Stats | undefined> {
    try {
      return await fs.stat(path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const path = this.pathOf(key);
    try {
      const handle = await fs.open(path, 'r');
      try {
        const stats = await handle.stat();
        const body = new Uint8Array(await handle.readFile());
        return { key, size: stats.size, etag: etagOf(stats), body };
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const stats = await this.statOrUndefined(this.pathOf(key));
    return stats?.isFile() ? { key, size: stats.size, etag: etagOf(stats) } : undefined;
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    parseObjectPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const startDir = join(this.root, ...(slash > 0 ? prefix.slice(0, slash).split('/') : []));
    const found: ObjectInfo[] = [];
    await this.walk(startDir, prefix, found);
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private async walk(dir: string, prefix: string, found: ObjectInfo[]): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      const key = relative(this.root, path).split(sep).join('/');
      if (entry.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) await this.walk(path, prefix, found);
        continue;
      }
      if (!key.startsWith(prefix)) continue;
      const stats = await this.statOrUndefined(path);
      if (stats) found.push({ key, size: stats.size, etag: etagOf(stats) });
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }
}
