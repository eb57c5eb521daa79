import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A file laid out and updated the way the kubelet does a Secret volume's. */
export interface ProjectedSecret {
  /** `<dir>/<name>`: what a pod's GRAVIX_..._FILE names. */
  path: string;
  /** A new version: written into a fresh timestamped directory, then `..data` is swapped to it in one rename. */
  update(text: string): void;
  /** The Secret's key gone (the next version lacks it): the path dangles. */
  remove(): void;
  /** The key back after `remove`. */
  restore(text: string): void;
}

/**
 * `<dir>/<name>` -> `..data/<name>`, `..data` -> `..<version>/`: the kubelet's atomic writer (pkg/volume/util,
 * AtomicWriter) makes a new version directory, points a temporary symlink at it and renames that over `..data`, so
 * a reader sees the old file or the new one, never a mix, and the path's inode changes with every version.
 */
export function projectedSecret(dir: string, name: string, text: string): ProjectedSecret {
  let version = 0;
  let current = '';
  const writeVersion = (body: string | undefined) => {
    version += 1;
    const next = `..2026_12_03_00_00_00.${version}`;
    mkdirSync(join(dir, next), { mode: 0o755 });
    if (body !== undefined) writeFileSync(join(dir, next, name), body, { mode: 0o644 });
    symlinkSync(next, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    if (current) rmSync(join(dir, current), { recursive: true, force: true });
    current = next;
  };
  writeVersion(text);
  symlinkSync(join('..data', name), join(dir, name));
  return {
    path: join(dir, name),
    update: (body) => writeVersion(body),
    remove: () => writeVersion(undefined),
    restore: (body) => writeVersion(body),
  };
}
