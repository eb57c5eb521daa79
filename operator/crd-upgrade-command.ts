import { pino } from 'pino';
import { upgradePipelineCrd } from './adapters/crd-upgrade.js';
import { KubeClient } from './adapters/kube-client.js';
import { loadConfig } from './config.js';
import { loadConnection } from './main.js';

/**
 * `gravix crd-upgrade`: the chart's pre-install/pre-upgrade hook Job (docs/adr/0070). Helm never upgrades a CRD
 * from a chart's crds/ folder, so this applies the one this release ships, then migrates what etcd stores.
 */
export async function run(_argv: string[]): Promise<number> {
  const config = loadConfig(process.env);
  const logger = pino({ level: config.logLevel, base: { component: 'gravix-crd-upgrade' } });
  const client = new KubeClient(loadConnection(config));
  try {
    await upgradePipelineCrd(client, logger);
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'pipeline CRD upgrade failed');
    return 1;
  } finally {
    client.close();
  }
}
