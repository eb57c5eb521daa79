import { execFile } from 'node:child_process';

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs a CLI tool to completion; a non-zero exit is returned, not thrown, so tests can assert on it. */
export function runTool(
  command: string,
  args: string[],
  input?: string,
  options: { cwd?: string } = {},
): Promise<ToolResult> {
  return new Promise((resolveResult, reject) => {
    const settings = { maxBuffer: 64 * 1024 * 1024, ...options };
    const child = execFile(command, args, settings, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolveResult({ stdout, stderr, exitCode: error ? Number(error.code) : 0 });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}
