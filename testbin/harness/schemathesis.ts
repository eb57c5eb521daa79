import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool, type ToolResult } from './run-tool.js';
import { repoPath, testbinPaths } from './testbin-paths.js';

export interface SchemathesisRun {
  /** A name for the artifacts: test-artifacts/schemathesis/<name>.{log,xml}. */
  name: string;
  /** Where the server serves its OpenAPI document. */
  schemaUrl: string;
  /** The server's base URL (the document lists both servers' addresses). */
  baseUrl: string;
  /** Only operations with this tag: the ones this server serves. */
  tag: string;
  checks: readonly string[];
  headers: Record<string, string>;
  maxExamples: number;
  seed: number;
}

/**
 * Runs the schemathesis CLI from the testbin venv against a live server, its output kept in test-artifacts/ with
 * a JUnit report. A missing venv is an error naming the command that provisions it, never a skip.
 */
export async function runSchemathesis(
  run: SchemathesisRun,
): Promise<ToolResult & { logFile: string; operations: string[] }> {
  const cli = testbinPaths().schemathesis;
  if (!existsSync(cli)) {
    throw new Error(`schemathesis is not provisioned at ${cli}: run 'bash scripts/testbin.sh schemathesis'`);
  }
  const dir = repoPath('test-artifacts', 'schemathesis');
  mkdirSync(dir, { recursive: true });
  const junit = join(dir, `${run.name}.xml`);
  const args = [
    'run',
    run.schemaUrl,
    '--url',
    run.baseUrl,
    '--include-tag',
    run.tag,
    '--checks',
    run.checks.join(','),
    '--max-examples',
    String(run.maxExamples),
    '--seed',
    String(run.seed),
    '--workers',
    '1',
    '--request-timeout',
    '30',
    '--report',
    'junit',
    '--report-junit-path',
    junit,
    ...Object.entries(run.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
  ];
  // Its working directory gets hypothesis's example database (.schemathesis/): keep it out of the repository.
  const result = await runTool(cli, args, undefined, { cwd: dir });
  const logFile = join(dir, `${run.name}.log`);
  writeFileSync(logFile, `${cli} ${args.join(' ')}\n\n${result.stdout}\n${result.stderr}`);
  // The operations it tested, as "METHOD /path", from the JUnit report's test cases (the stateful phase, run when the
  // document has links, adds a case named "Stateful tests" that is not an operation).
  const operations = existsSync(junit)
    ? [...readFileSync(junit, 'utf8').matchAll(/<testcase name="([^"]+)"/g)]
        .map((m) => m[1]!)
        .filter((name) => name !== 'Stateful tests')
        .sort()
    : [];
  return { ...result, logFile, operations };
}
