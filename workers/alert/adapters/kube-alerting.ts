import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { KubeClient } from '../../../operator/adapters/kube-client.js';
import {
  loadInCluster,
  loadKubeconfigFile,
  type KubeConnection,
} from '../../../operator/adapters/kube-connection.js';
import { LeaderElector } from '../../../operator/adapters/leader-election.js';
import type { AlertKubernetesConfig } from '../config.js';
import { AlertRuleStatusWriter } from './alert-rule-status-writer.js';
import type { AlertStore } from './alert-store.js';
import { KubeAlertRules } from './kube-alert-rules.js';

export interface KubeAlerting {
  rules: KubeAlertRules;
  statusWriter: AlertRuleStatusWriter;
  /** Campaigns for the Lease; `lead` runs while this replica is the one evaluator, `follow` when it stops. */
  elect(lead: () => void, follow: () => void): void;
  stop(): Promise<void>;
}

function connect(config: AlertKubernetesConfig): KubeConnection {
  const { kubeconfig, inCluster } = config.apiserver;
  // config.ts guarantees one of them.
  return kubeconfig ? loadKubeconfigFile(kubeconfig) : loadInCluster(inCluster!.host, inCluster!.port);
}

/**
 * `gravix alert` on Kubernetes: GravixAlertRules from a watch, their status written back, and the operator's Lease
 * election (client-go semantics, operator/adapters/leader-election.ts) so exactly one replica evaluates. Every
 * status write goes through the election's fence: a replica that is not surely leading sends none.
 */
export function startKubeAlerting(
  config: AlertKubernetesConfig,
  alerts: AlertStore,
  registry: Registry,
  logger: Logger,
): KubeAlerting {
  const connection = connect(config);
  const leaseClient = new KubeClient(connection);
  let elector: LeaderElector | undefined;
  const client = new KubeClient(connection, { beforeWrite: () => elector?.assertLeading() });
  const rules = new KubeAlertRules({
    client,
    namespace: config.namespace,
    pipeline: config.pipeline,
    logger,
  });
  const leader = new Gauge({
    name: 'gravix_alert_leader',
    help: '1 while this replica holds the Lease and evaluates',
    registers: [registry],
  });
  rules.start();
  return {
    rules,
    statusWriter: new AlertRuleStatusWriter({ client, namespace: config.namespace, rules, alerts, logger }),
    elect(lead, follow) {
      elector = new LeaderElector({
        client: leaseClient,
        namespace: config.namespace,
        ...config.lease,
        logger,
        onStartedLeading: () => {
          leader.set(1);
          lead();
        },
        onStoppedLeading: () => {
          leader.set(0);
          follow();
        },
      });
      elector.start();
    },
    async stop() {
      await elector?.stop();
      await rules.stop();
      client.close();
      leaseClient.close();
    },
  };
}
