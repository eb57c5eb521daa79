import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { testbinPaths } from './testbin-paths.js';
import { waitUntil } from './wait-until.js';

export interface MinioServer {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
  /** Creates a bucket with the root credentials. */
  createBucket(bucket: string): Promise<void>;
  /** The `GRAVIX_STORE=s3` environment a Gravix process needs to use `bucket` with the root credentials. */
  storeEnv(bucket: string): Record<string, string>;
  /** The options an `S3ObjectStore` needs to use `bucket` with the root credentials. */
  s3Options(bucket: string): {
    bucket: string;
    endpoint: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
  };
  /** Stops MinIO but keeps its data, as in an outage; `start()` brings it back on the same port. */
  pause(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface MinioOptions {
  /** Aborting stops the server while it starts (a bench interrupted during start-up) and rejects. */
  signal?: AbortSignal;
}

/** Starts a real single-drive MinIO server on a free loopback port. */
export async function startMinio(options: MinioOptions = {}): Promise<MinioServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gravix-minio-'));
  const [port, consolePort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKey = `gravix${randomBytes(4).toString('hex')}`;
  const secretKey = randomBytes(20).toString('hex');
  const proc = new ManagedProcess({
    name: 'minio',
    command: testbinPaths().minio,
    args: ['server', dataDir, `--address=127.0.0.1:${port}`, `--console-address=127.0.0.1:${consolePort}`],
    env: {
      MINIO_ROOT_USER: accessKey,
      MINIO_ROOT_PASSWORD: secretKey,
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
      MINIO_CI_CD: '1',
    },
  });
  const start = async (signal?: AbortSignal) => {
    proc.start();
    try {
      await waitUntil(
        async () => {
          proc.assertRunning();
          return (await fetch(`${endpoint}/minio/health/ready`)).ok;
        },
        { what: 'minio /minio/health/ready', timeoutMs: 60_000, signal },
      );
    } catch (error) {
      // A start that fails or is aborted must not leave the server running.
      await proc.stop();
      throw error;
    }
  };
  try {
    await start(options.signal);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint,
    accessKey,
    secretKey,
    region: 'us-east-1',
    async createBucket(bucket) {
      const admin = new S3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
      });
      try {
        await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      } finally {
        admin.destroy();
      }
    },
    storeEnv: (bucket) => ({
      GRAVIX_STORE: 's3',
      GRAVIX_S3_BUCKET: bucket,
      GRAVIX_S3_ENDPOINT: endpoint,
      GRAVIX_S3_REGION: 'us-east-1',
      GRAVIX_S3_ACCESS_KEY_ID: accessKey,
      GRAVIX_S3_SECRET_ACCESS_KEY: secretKey,
    }),
    s3Options: (bucket) => ({
      bucket,
      endpoint,
      region: 'us-east-1',
      accessKeyId: accessKey,
      secretAccessKey: secretKey,
    }),
    pause: () => proc.stop(),
    start: () => start(),
    async stop() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
