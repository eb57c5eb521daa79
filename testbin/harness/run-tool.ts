import { execFile } from 'node:child_process';

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs a CLI tool to completion; a non-zero exit is returned, not thrown, so tests can assert on it. */
export function runTool(command: string, args: string[], input?: string): Promise<ToolResult> {
  return new Promise((resolveResult, reject) => {
    const child = execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolveResult({ stdout, stderr, exitCode: error ? Number(error.code) : 0 });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}
