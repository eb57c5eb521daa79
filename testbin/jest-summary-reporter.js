// Prints the slowest test files (CI's 90-minute budget is spent file by file: this is where to look first), every
// failed test with the first line of its error (CI shows only the tail of a long log, so a failure printed an hour
// earlier is otherwise invisible there), then the plain closing line CI reads: "N passed, N failed" (", N skipped"
// when any were skipped).
import path from 'node:path';

const SLOWEST_SHOWN = 15;
const FAILURES_SHOWN = 30;

/** The first line of a failure message that says something, without the colour codes jest adds. */
function firstLine(message) {
  // eslint-disable-next-line no-control-regex -- jest colours its messages with ESC sequences
  const plain = String(message ?? '').replace(/\u001b\[[0-9;]*m/g, '');
  const line = plain.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, 240);
}

export function describeFailures(results) {
  const failures = [];
  for (const file of results.testResults) {
    const where = path.relative(process.cwd(), file.testFilePath);
    // A file that could not run at all (syntax, import, a hook timing out) has no failed test to list.
    if (file.testExecError) failures.push(`  ${where}: ${firstLine(file.testExecError.message)}`);
    for (const test of file.testResults)
      if (test.status === 'failed')
        failures.push(`  ${where} › ${test.fullName}\n      ${firstLine(test.failureMessages[0])}`);
  }
  if (failures.length === 0) return '';
  const more = failures.length > FAILURES_SHOWN ? `\n  … and ${failures.length - FAILURES_SHOWN} more` : '';
  return `\nfailed tests (${failures.length}):\n${failures.slice(0, FAILURES_SHOWN).join('\n')}${more}\n`;
}

export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const files = results.testResults
      .map((r) => ({
        file: path.relative(process.cwd(), r.testFilePath),
        ms: r.perfStats.end - r.perfStats.start,
      }))
      .filter((f) => Number.isFinite(f.ms))
      .sort((a, b) => b.ms - a.ms);
    const totalSeconds = files.reduce((sum, f) => sum + f.ms, 0) / 1000;
    const slowest = files
      .slice(0, SLOWEST_SHOWN)
      .map((f) => `  ${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.file}`)
      .join('\n');
    process.stdout.write(
      `\nslowest test files (of ${files.length}, ${totalSeconds.toFixed(0)} s in files):\n${slowest}\n`,
    );
    process.stdout.write(describeFailures(results));
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line =
      `${results.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '');
    process.stdout.write(`\n${line}\n`);
  }
}
