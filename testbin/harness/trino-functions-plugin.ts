import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { GRAVIX_PLUGIN_NAME, trinoFunctionsFiles } from '../../cdk8s/trino-functions.js';
import { loadTestbinVersions, repoPath, testbinCacheDir, testbinPaths } from './testbin-paths.js';

/** Hash of trino-functions/ (sources, resources, build script), as the pods' ConfigMap carries it: the cache key. */
function sourcesKey(): string {
  const hash = createHash('sha256');
  for (const file of trinoFunctionsFiles())
    hash.update(file.path).update('\0').update(file.text).update('\0');
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
  // A finished build only ever appears under this name (renamed whole below).
  if (existsSync(out)) return out;
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
