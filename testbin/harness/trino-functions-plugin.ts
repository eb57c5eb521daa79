import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { loadTestbinVersions, repoPath, testbinCacheDir, testbinPaths } from './testbin-paths.js';

/** The plugin directory's name under Trino's plugin/ (the Trino pods mount theirs at the same name). */
export const GRAVIX_PLUGIN_NAME = 'gravix';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

/** Hash of trino-functions/ (sources, resources, build script): the cache key of a built plugin. */
function sourcesKey(): string {
  const root = repoPath('trino-functions');
  const hash = createHash('sha256');
  for (const file of filesUnder(root))
    hash.update(relative(root, file)).update('\0').update(readFileSync(file));
  return hash.digest('hex').slice(0, 12);
}

/**
 * Gravix's Trino functions built for the testbin Trino by trino-functions/build.sh, the script the Trino pods'
 * init container runs: cached by Trino version and source hash, built here (about a second of javac) when a source
 * changed. Concurrent builders each build into a directory of their own; the first rename wins.
 */
export function gravixTrinoPluginDir(): string {
  const paths = testbinPaths();
  const version = loadTestbinVersions().TRINO_VERSION;
  const out = join(testbinCacheDir(), `trino-functions-${version}-${sourcesKey()}`);
  if (existsSync(join(out, 'gravix-trino-functions.jar'))) return out;
  const building = `${out}.${process.pid}.tmp`;
  rmSync(building, { recursive: true, force: true });
  execFileSync('bash', [repoPath('trino-functions', 'build.sh'), paths.trinoHome, building], {
    env: { ...process.env, JAVA_HOME: paths.temurinJavaHome },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    renameSync(building, out);
  } catch (error) {
    // Another process built the same sources first.
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(out)) throw error;
  }
  return out;
}

/**
 * A plugin directory for one Trino run: links to every plugin of the testbin install, plus Gravix's functions
 * unless `withFunctions` is false (a Trino as a user might run it without them, which the engine must still serve).
 */
export function trinoPluginDir(runDir: string, withFunctions: boolean): string {
  const { trinoHome } = testbinPaths();
  const dir = join(runDir, 'plugin');
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(join(trinoHome, 'plugin'))) {
    if (statSync(join(trinoHome, 'plugin', name)).isDirectory())
      symlinkSync(join(trinoHome, 'plugin', name), join(dir, name));
  }
  if (withFunctions) symlinkSync(gravixTrinoPluginDir(), join(dir, GRAVIX_PLUGIN_NAME));
  return dir;
}
