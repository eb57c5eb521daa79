import { randomBytes } from 'node:crypto';
import { freePort } from '../../testbin/harness/free-port.js';
import { startGravix } from '../../testbin/harness/gravix-process.js';
import { startMinio, type MinioServer } from '../../testbin/harness/minio-server.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';

/**
 * The rollup loop's /ready tells the truth (issue #16): on Kubernetes it is what keeps the pipeline's Available
 * condition honest. Before, it answered 200 from the first second, whatever the passes did.
 */
describe('gravix rollup (loop) /ready', () => {
  let minio: MinioServer;
  beforeAll(async () => {
    minio = await startMinio();
  });
  afterAll(() => minio?.stop());

  it('is 503 ROLLUP_PASS_FAILED while passes fail on an unreachable store, and 200 again once one succeeds', async () => {
    const bucket = `gx-${randomBytes(4).toString('hex')}`;
    await minio.createBucket(bucket);
    const port = await freePort();
    const ready = `http://127.0.0.1:${port}/ready`;
    const rollup = await startGravix(
      'rollup',
      {
        GRAVIX_LOG_LEVEL: 'warn',
        GRAVIX_ROLLUP_HTTP_PORT: String(port),
        GRAVIX_ROLLUP_HTTP_HOST: '127.0.0.1',
        GRAVIX_ROLLUP_INTERVAL_SECONDS: '1',
        GRAVIX_ROLLUP_INCLUDE_OPEN: 'true',
        ...minio.storeEnv(bucket),
      },
      ready,
    );
    try {
      await minio.pause();
      const failing = await waitUntil(
        async () => {
          const res = await fetch(ready);
          return res.status === 503
            ? ((await res.json()) as { error: { code: string; message: string } })
            : false;
        },
        { what: 'rollup /ready 503', timeoutMs: 120_000, intervalMs: 500 },
      );
      expect(failing.error.code).toBe('ROLLUP_PASS_FAILED');
      expect(failing.error.message).toMatch(/^the rollup pass at \d{4}-\d\d-\d\dT[\d:.]+Z failed: /);
      expect((await fetch(`http://127.0.0.1:${port}/live`)).status).toBe(200);
      await minio.start();
      await waitUntil(async () => (await fetch(ready)).status === 200, {
        what: 'rollup /ready 200 again',
        timeoutMs: 120_000,
        intervalMs: 500,
      });
    } finally {
      await rollup.kill('SIGTERM');
    }
  });
});
