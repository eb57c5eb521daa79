import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { testbinPaths } from './testbin-paths.js';
import { waitUntil } from './wait-until.js';

export interface Alertmanager {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real Alertmanager on a free loopback port, clustering off, routing every alert to one webhook receiver,
 * grouped by alertname with short waits so a test sees grouping and resolve notifications within seconds.
 */
export async function startAlertmanager(webhookUrl: string): Promise<Alertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'gravix-alertmanager-'));
  const port = await freePort();
  const config = {
    route: {
      receiver: 'gravix-test',
      group_by: ['alertname'],
      group_wait: '1s',
      group_interval: '2s',
      repeat_interval: '1h',
    },
    receivers: [{ name: 'gravix-test', webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
  };
  writeFileSync(join(dir, 'alertmanager.yml'), stringify(config));
  const proc = new ManagedProcess({
    name: 'alertmanager',
    command: testbinPaths().alertmanager,
    args: [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
  });
  proc.start();
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    async () => {
      proc.assertRunning();
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok;
    },
    { what: 'alertmanager /-/ready', timeoutMs: 60_000 },
  );
  return {
    url,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
