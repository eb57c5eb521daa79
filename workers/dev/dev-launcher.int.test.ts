import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli } from '../../testbin/harness/built-cli.js';
import { freePort } from '../../testbin/harness/free-port.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { pipelinePid, procStatusField, startDev } from './testing/dev-processes.js';

/** A second `gravix dev` on the same data directory, to its end: exit code and stderr. */
async function secondDev(dataDir: string): Promise<{ code: number | null; stderr: string }> {
  const [ingestPort, queryPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    GRAVIX_DATA_DIR: dataDir,
    GRAVIX_INGEST_PORT: String(ingestPort),
    GRAVIX_QUERY_PORT: String(queryPort),
  };
  const cli = await builtCli();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, 'dev'],
      { env, timeout: 120_000 },
      (_error, _out, stderr) => resolve({ code: child.exitCode, stderr }),
    );
  });
}

describe('gravix dev launcher (docs/adr/0109)', () => {
  beforeAll(() => builtCli(), 600_000);

  it('runs the pipeline in a child with the start-time settings, relays its output, keeps one pipeline per data directory and passes SIGTERM and the exit code on', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gx-dev-launcher-'));
    const dev = await startDev(dataDir);
    try {
      const launcher = dev.proc.pid!;
      const pipeline = (await pipelinePid(dataDir))!;
      expect(pipeline).not.toBe(launcher);
      expect(procStatusField(pipeline, 'PPid')).toBe(String(launcher));
      const cmdline = readFileSync(`/proc/${pipeline}/cmdline`, 'utf8').split('\0').filter(Boolean);
      expect(cmdline.slice(1, 2)).toEqual(['--max-semi-space-size=4']);
      expect(cmdline.slice(-1)).toEqual(['dev']);
      const environ = readFileSync(`/proc/${pipeline}/environ`, 'utf8').split('\0');
      expect(environ).toContain('MALLOC_ARENA_MAX=2');
      expect(environ).toContain('MALLOC_MMAP_THRESHOLD_=131072');
      // The pipeline's log lines reach the launcher's stdout: the harness's pipe, read from the launcher.
      const ready = await waitUntil(
        async () =>
          readFileSync(dev.proc.logPath, 'utf8')
            .split('\n')
            .find((line) => line.includes('"gravix dev ready"')),
        { what: 'the ready line in the launcher output', timeoutMs: 10_000 },
      );
      expect(JSON.parse(ready).pid).toBe(pipeline);

      const second = await secondDev(dataDir);
      expect(second.code).toBe(1);
      expect(JSON.parse(second.stderr.trim().split('\n').at(-1)!)).toEqual({
        error: {
          code: 'DATA_DIR_IN_USE',
          message: expect.stringContaining(`in use by another gravix dev (pid ${pipeline}, running)`),
        },
      });
      // The first pipeline still serves.
      expect((await fetch(`${dev.queryUrl}/ready`)).status).toBe(200);

      await dev.kill('SIGTERM');
      expect(dev.proc.exitStatus).toBe(0);
      expect(procStatusField(pipeline, 'State')).toBeUndefined();
      expect(await pipelinePid(dataDir)).toBeUndefined();
    } finally {
      await dev.kill('SIGKILL');
    }
  });

  it('runs the pipeline in its own process with GRAVIX_DEV_CHILD_PROCESS=false', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gx-dev-inprocess-'));
    const dev = await startDev(dataDir, { GRAVIX_DEV_CHILD_PROCESS: 'false' });
    try {
      expect(await pipelinePid(dataDir)).toBe(dev.proc.pid);
    } finally {
      await dev.kill('SIGTERM');
    }
    expect(dev.proc.exitStatus).toBe(0);
  });
});
