import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { repoPath } from '../testbin/harness/testbin-paths.js';

/**
 * Issue #17 item 8: the images install `dependencies` only (npm ci --omit=dev, container-images.test.ts), so
 * that list must be exactly what the shipped code imports: a package only tests import (fast-check was one) is
 * dead weight and attack surface in every image, and a package the shipped code imports but that sits in
 * devDependencies breaks the image at run time. axios (under trino-client) is pinned to one fixed release.
 */
interface PackageJson {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  overrides: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as PackageJson;

/** Directories whose non-test code is compiled into the images. */
const shipped = ['cli', 'workers', 'operator', 'crds', 'cdk8s', 'dashboards'];
/** Test code: suites, contracts, fixtures and harnesses (never imported by shipped code). */
const isTestCode = (path: string) =>
  /\.(test|int\.test|contract|cluster\.test)\.ts$/.test(path) || /(^|\/)testing\//.test(path);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(path);
    // TypeScript only: the .mjs files are build scripts (esbuild), run before the image is made.
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The packages a file imports (static, dynamic and type-only imports alike), by package name. */
function importedPackages(text: string): string[] {
  const pattern =
    /(?:^\s*(?:import|export)\b[^;']*?\bfrom\s*|^\s*import\s*|\bimport\(\s*)'((?:@[\w.-]+\/)?[\w-][\w.-]*(?:\/[\w./-]+)?)'/gm;
  const specifiers = [...text.matchAll(pattern)].map((m) => m[1]!);
  return specifiers
    .filter((s) => !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) =>
      s
        .split('/')
        .slice(0, s.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

const importsOf = (files: string[]) => {
  const byPackage = new Map<string, string[]>();
  for (const file of files) {
    for (const name of importedPackages(readFileSync(file, 'utf8'))) {
      byPackage.set(name, [...(byPackage.get(name) ?? []), relative(repoPath('.'), file)]);
    }
  }
  return byPackage;
};

const files = shipped.flatMap((dir) => sourceFiles(repoPath(dir)));
const shippedImports = importsOf(files.filter((f) => !isTestCode(relative(repoPath('.'), f))));

describe('package.json dependencies', () => {
  it('lists every package the shipped code imports under dependencies, none under devDependencies only', () => {
    const missing = [...shippedImports.keys()].filter((name) => !(name in pkg.dependencies));
    expect(missing.map((name) => `${name} (${shippedImports.get(name)![0]})`)).toEqual([]);
  });

  it('keeps under dependencies only packages the shipped code imports (test-only ones are devDependencies)', () => {
    const unused = Object.keys(pkg.dependencies).filter((name) => !shippedImports.has(name));
    expect(unused).toEqual([]);
  });

  it('pins axios, which trino-client pulls in, to one fixed release, and the lock file resolves it to that one', () => {
    const pinned = pkg.overrides['axios'];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    const lock = JSON.parse(readFileSync(repoPath('package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    const axiosCopies = Object.entries(lock.packages).filter(([path]) => path.endsWith('node_modules/axios'));
    expect(axiosCopies.length).toBeGreaterThan(0);
    expect(axiosCopies.map(([path, p]) => [path, p.version])).toEqual(
      axiosCopies.map(([path]) => [path, pinned]),
    );
  });

  it('recognises the import forms the scan relies on', () => {
    expect(
      importedPackages(
        "import a from 'pino';\nimport type { B } from '@aws-sdk/client-s3';\nawait import('cdk8s-plus-28/lib/x.js');\nimport { c } from './local.js';\nimport { d } from 'node:fs';",
      ),
    ).toEqual(['pino', '@aws-sdk/client-s3', 'cdk8s-plus-28']);
  });
});
