// Prints the slowest test files (CI's 90-minute budget is spent file by file: this is where to look first), then
// the plain closing line CI reads: "N passed, N failed" (", N skipped" when any were skipped).
import path from 'node:path';

const SLOWEST_SHOWN = 15;

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
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line =
      `${results.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '');
    process.stdout.write(`\n${line}\n`);
  }
}
