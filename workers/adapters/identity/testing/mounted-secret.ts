import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MountedSecret {
  /** The file a container reads, e.g. <dir>/client-secret. */
  path: string;
  dir: string;
  /** Writes a new value the way the kubelet does: a new timestamped directory, then `..data` swapped by a rename. */
  rotate(value: string): void;
}

/**
 * One Secret key mounted as the kubelet lays it out: `<file> -> ..data/<file>`, `..data -> ..<timestamp>`. A reader
 * never sees a half-written file: the swap is one rename of a symlink.
 */
export function mountedSecret(file: string, value: string): MountedSecret {
  const dir = mkdtempSync(join(tmpdir(), 'gx-mounted-secret-'));
  let generation = 0;
  const rotate = (next: string) => {
    generation += 1;
    const version = `..2026_12_03_${generation}`;
    mkdirSync(join(dir, version));
    writeFileSync(join(dir, version, file), `${next}\n`);
    symlinkSync(version, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  };
  rotate(value);
  symlinkSync(join('..data', file), join(dir, file));
  return { path: join(dir, file), dir, rotate };
}
