import type { ApiKeyEntry, ApiKeyScope } from './api-keys.js';

/** One entry of the keys file as its schema reads it (times already turned into ms since epoch). */
export interface KeysFileEntry {
  name: string;
  tenant: string;
  sha256: string;
  scopes: ApiKeyScope[];
  /** From then on the entry's key is refused (ms since epoch). */
  notAfter?: number;
  /** Digests this key had before a rotation by file, each accepted until its own notAfter (the overlap window). */
  previous: { sha256: string; notAfter: number }[];
}

/** A rule across entries broken: where (the schema's path style) and why. */
export interface KeysFileProblem {
  path: string;
  message: string;
}

/**
 * The rules no single entry can check (docs/adr/0121): a name names one key of its tenant, compared without case
 * as the managed keys' are (an audit actor `key:<name>` must name one key), and a digest opens one key: the ring
 * keeps the first entry of a digest listed twice, so a second entry (perhaps another tenant's) would be a key that
 * silently does not work, or works as someone else.
 */
export function keysFileProblems(entries: readonly KeysFileEntry[]): KeysFileProblem[] {
  const problems: KeysFileProblem[] = [];
  const names = new Map<string, number>();
  const digests = new Map<string, string>();
  entries.forEach((entry, index) => {
    const name = `${entry.tenant}\u0000${entry.name.toLowerCase()}`;
    const first = names.get(name);
    if (first === undefined) names.set(name, index);
    else
      problems.push({
        path: `keys.${index}.name`,
        message:
          `"${entry.name}" of tenant ${entry.tenant} is also keys.${first}'s name (names are compared without ` +
          'case; to rotate a key keep one entry and list the old sha256 under previous)',
      });
    const own = [
      { path: `keys.${index}.sha256`, sha256: entry.sha256 },
      ...entry.previous.map((p, i) => ({ path: `keys.${index}.previous.${i}.sha256`, sha256: p.sha256 })),
    ];
    for (const { path, sha256 } of own) {
      const holder = digests.get(sha256);
      if (holder === undefined) digests.set(sha256, path);
      else problems.push({ path, message: `is the same digest as ${holder} (one key opens one entry)` });
    }
  });
  return problems;
}

/**
 * The ring entries of the file's keys: each entry's current digest, and each previous digest as the same key
 * (same id and name, so its uses and audit events stay the key's) until its notAfter, marked as a predecessor
 * so listings show the key once.
 */
export function fileRingEntries(entries: readonly KeysFileEntry[]): ApiKeyEntry[] {
  return entries.flatMap((entry) => {
    const base = { id: `file:${entry.name}`, name: entry.name, tenant: entry.tenant, scopes: entry.scopes };
    const current: ApiKeyEntry = {
      ...base,
      sha256: entry.sha256,
      ...(entry.notAfter !== undefined && { expiresAt: entry.notAfter }),
    };
    const previous = entry.previous.map((p): ApiKeyEntry => ({
      ...base,
      scopes: [...entry.scopes],
      sha256: p.sha256,
      // An old secret never outlives the key: the earlier of its window and the entry's own end.
      expiresAt: Math.min(p.notAfter, entry.notAfter ?? Number.POSITIVE_INFINITY),
      predecessor: true,
    }));
    return [current, ...previous];
  });
}
