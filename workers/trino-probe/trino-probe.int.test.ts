import { randomBytes } from 'node:crypto';
import { freePort } from '../../testbin/harness/free-port.js';
import { startGravix, type GravixProcess } from '../../testbin/harness/gravix-process.js';
import { startMinio, type MinioServer } from '../../testbin/harness/minio-server.js';
import { startTrino, type TrinoServer } from '../../testbin/harness/trino-server.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';

/** The Trino pods' readiness sidecar against a real Trino: ready only while SELECT 1 answers. */
describe('gravix trino-probe', () => {
  let minio: MinioServer;
  let trino: TrinoServer | undefined;
  const probes: GravixProcess[] = [];

  beforeAll(async () => {
    minio = await startMinio();
  });
  afterAll(async () => {
    for (const p of probes) await p.kill('SIGTERM');
    await trino?.stop();
    await minio?.stop();
  });

  const probe = async (server: string, role: 'coordinator' | 'worker' = 'coordinator') => {
    const port = await freePort();
    // startGravix waits for a 200 on its URL: /live answers as soon as the probe listens.
    const p = await startGravix(
      'trino-probe',
      {
        GRAVIX_TRINO_PROBE_SERVER: server,
        GRAVIX_TRINO_PROBE_PORT: String(port),
        GRAVIX_TRINO_PROBE_ROLE: role,
        GRAVIX_LOG_LEVEL: 'warn',
      },
      `http://127.0.0.1:${port}/live`,
    );
    probes.push(p);
    return `http://127.0.0.1:${port}/ready`;
  };

  it('is 503 TRINO_NOT_READY while nothing answers, 200 once SELECT 1 runs, 503 again when Trino stops', async () => {
    const nothing = await probe(`http://127.0.0.1:${await freePort()}`);
    const down = await fetch(nothing);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'TRINO_NOT_READY',
      message: expect.stringMatching(/^SELECT 1 failed: /),
    });

    const bucket = `gx-${randomBytes(4).toString('hex')}`;
    await minio.createBucket(bucket);
    trino = await startTrino({ s3: minio, metastoreBucket: bucket });
    const ready = await probe(trino.url);
    expect((await fetch(ready)).status).toBe(200);
    // A worker runs no statements; its probe asks for the node state, which every node answers (docs/adr/0130).
    const nothingForWorker = await fetch(await probe(`http://127.0.0.1:${await freePort()}`, 'worker'));
    expect(nothingForWorker.status).toBe(503);
    const worker = await probe(trino.url, 'worker');
    expect((await fetch(worker)).status).toBe(200);

    await trino.stop();
    trino = undefined;
    await waitUntil(async () => (await fetch(ready)).status === 503 && (await fetch(worker)).status === 503, {
      what: 'probe 503 after Trino stopped',
      timeoutMs: 30_000,
    });
  });
});
