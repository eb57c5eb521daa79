import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { testbinPaths } from './testbin-paths.js';
import { waitUntil } from './wait-until.js';

export interface EtcdServer {
  clientUrl: string;
  stop(): Promise<void>;
}

/** Starts a single-member etcd on loopback ports with fsync off (test data only). */
export async function startEtcd(): Promise<EtcdServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gravix-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const proc = new ManagedProcess({
    name: 'etcd',
    command: testbinPaths().etcd,
    args: [
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
  });
  proc.start();
  await waitUntil(
    async () => {
      proc.assertRunning();
      const res = await fetch(`${clientUrl}/health`);
      return res.ok;
    },
    { what: 'etcd /health', timeoutMs: 30_000 },
  );
  return {
    clientUrl,
    async stop() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
