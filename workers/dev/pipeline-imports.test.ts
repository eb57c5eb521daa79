import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import { repoPath } from '../../testbin/harness/testbin-paths.js';

/**
 * Issue #18 (docs/adr/0125): what `gravix dev`'s pipeline loads when it starts is resident for its whole life. It
 * never uses the AWS SDK (its store is local), Trino's client, cdk8s and the generated Kubernetes classes, or
 * openid-client (no sign-in): loaded anyway they held ~35 MiB of its RSS. Those modules are imported where they
 * are used, lazily; this walks the static imports from the pipeline's entry and from the launcher's, so a new static import of them fails here and not in a bench.
 */

/**
 * The imports node loads before a module runs: static `import`/`export ... from`, except those the compiler erases
 * (`import type`, or only `type` names). Read from the syntax, so an import of a value used only as a type counts as
 * loaded (stricter than the compiler, which erases it too); dynamic `import()` is what lazy loading looks like.
 */
function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const erased = (clause: ts.ImportClause | undefined) =>
    clause !== undefined &&
    (clause.isTypeOnly ||
      (clause.name === undefined &&
        clause.namedBindings !== undefined &&
        ts.isNamedImports(clause.namedBindings) &&
        clause.namedBindings.elements.length > 0 &&
        clause.namedBindings.elements.every((e) => e.isTypeOnly)));
  return source.statements.flatMap((statement) => {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier))
      return erased(statement.importClause) ? [] : [statement.moduleSpecifier.text];
    if (
      ts.isExportDeclaration(statement) &&
      !statement.isTypeOnly &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
    )
      return [statement.moduleSpecifier.text];
    return [];
  });
}

/** Every package reachable through static imports from `entry`, each with the chain of files that reaches it. */
function reachablePackages(entry: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const seen = new Set<string>();
  const visit = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const here = [...chain, relative(repoPath('.'), file)];
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')), here);
      else if (!specifier.startsWith('node:')) {
        const name = specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/');
        if (!packages.has(name)) packages.set(name, here);
      }
    }
  };
  visit(entry, []);
  return packages;
}

const notForTheEmbeddedPipeline = [
  '@aws-sdk/client-s3',
  '@smithy/node-http-handler',
  'trino-client',
  'cdk8s',
  'cdk8s-plus-28',
  'constructs',
  'openid-client',
];

describe("gravix dev's start-up imports", () => {
  it('the pipeline loads no S3, Trino, cdk8s or OIDC module before it needs one', () => {
    const packages = reachablePackages(repoPath('workers/dev/main.ts'));
    // The walk sees what the pipeline does use statically (so an empty walk cannot pass).
    expect([...packages.keys()]).toEqual(expect.arrayContaining(['express', 'parquet-wasm', 'pino', 'zod']));
    const loaded = notForTheEmbeddedPipeline.filter((name) => packages.has(name));
    expect(loaded.map((name) => `${name}: ${packages.get(name)!.join(' -> ')}`)).toEqual([]);
  });

  it('the launcher loads no package at all (it only relays: docs/adr/0109)', () => {
    expect([...reachablePackages(repoPath('workers/dev/dev-command.ts')).keys()]).toEqual([]);
  });
});
