import { pino, type Logger } from 'pino';
import { randomSecret } from '../cdk8s/pipeline-chart.js';
import { CachedChildren, ChildCache } from './adapters/child-cache.js';
import { ChildWriter } from './adapters/child-writer.js';
import { PrometheusOperatorDiscovery } from './adapters/discovery.js';
import { EventRecorder } from './adapters/event-recorder.js';
import { KubeStorageClasses } from './adapters/storage-classes.js';
import { KubeClient } from './adapters/kube-client.js';
import {
  connectionFromKubeConfig,
  loadInCluster,
  loadKubeconfigFile,
  type KubeConfig,
  type KubeConnection,
} from './adapters/kube-connection.js';
import { LeaderElector } from './adapters/leader-election.js';
import { KubePipelineApi } from './adapters/pipeline-api.js';
import { resourceOfPath } from './adapters/resource-paths.js';
import { CachedPipelines, PipelineCache } from './adapters/pipeline-cache.js';
import { CachedTenants, TenantCache } from './adapters/tenant-cache.js';
import { ConfigError } from '../workers/shared/config-error.js';
import { loadConfig, type OperatorConfig } from './config.js';
import { PipelineController } from './controller/controller.js';
import { PipelineReconciler } from './controller/reconciler.js';
import { startHealthServer } from './http/health-server.js';
import { createOperatorMetrics, type OperatorMetrics } from './metrics.js';

export const FIELD_MANAGER = 'gravix-operator';

export interface RunningOperator {
  port: number;
  metrics: OperatorMetrics;
  isLeader(): boolean;
  ready(): boolean;
  stop(): Promise<void>;
}

/** Picks the kubeconfig file when configured, else the pod's service account. */
export function loadConnection(config: OperatorConfig): KubeConnection {
  const { kubeconfig, inCluster } = config.apiserver;
  if (kubeconfig) return loadKubeconfigFile(kubeconfig);
  if (inCluster) return loadInCluster(inCluster.host, inCluster.port);
  throw new ConfigError(
    ['GRAVIX_OPERATOR_KUBECONFIG: required outside a cluster (KUBERNETES_SERVICE_HOST is unset)'],
    { subject: 'operator' },
  );
}

/**
 * The reconciler behind its ports (pipelines and children through the informer caches, Events), and what the
 * controller feeds: the caches, and the ServiceMonitor watch's answer to "is the Prometheus operator installed".
 */
function buildReconciler(client: KubeClient, logger: Logger, metrics: OperatorMetrics) {
  const cache = new ChildCache();
  const pipelineCache = new PipelineCache();
  const tenantCache = new TenantCache();
  const discovery = new PrometheusOperatorDiscovery(client);
  const reconciler = new PipelineReconciler({
    pipelines: new CachedPipelines(new KubePipelineApi(client), pipelineCache),
    children: new CachedChildren(new ChildWriter(client, FIELD_MANAGER), cache),
    tenants: new CachedTenants(client, tenantCache),
    events: new EventRecorder(client, FIELD_MANAGER, logger),
    storageClasses: new KubeStorageClasses(client),
    logger,
    generate: randomSecret,
    prometheusOperator: () => discovery.present(),
    now: () => new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    countSynthesis: (outcome) => metrics.syntheses.inc({ outcome }),
  });
  const onPrometheusOperatorServed = (served: boolean) => discovery.observe(served);
  return { reconciler, cache, pipelineCache, tenantCache, onPrometheusOperatorServed };
}

/**
 * Composition root: wires adapters, reconciler, controller, leader election and the health server.
 * `apiserver` is a connection, or a client-node KubeConfig that embedders and tests already hold.
 */
export async function startOperator(
  config: OperatorConfig,
  apiserver: KubeConnection | KubeConfig,
  logger: Logger,
): Promise<RunningOperator> {
  const connection = 'server' in apiserver ? apiserver : await connectionFromKubeConfig(apiserver);
  const metrics = createOperatorMetrics();
  let controller: PipelineController | undefined;
  let stopping: Promise<void> = Promise.resolve();
  const lead = () => {
    metrics.leader.set(1);
    controller = new PipelineController(controllerOptions);
    controller.start();
  };
  const follow = () => {
    metrics.leader.set(0);
    stopping = controller?.stop() ?? stopping;
    controller = undefined;
  };
  const { leaderElection: le } = config;
  // The Lease has a client of its own: the controller's refuses writes once this replica is not surely leading.
  const leaseClient = new KubeClient(connection);
  const elector = le.enabled
    ? new LeaderElector({
        client: leaseClient,
        ...le,
        leaseDurationSeconds: le.leaseSeconds,
        logger,
        onStartedLeading: lead,
        onStoppedLeading: follow,
      })
    : undefined;
  const client = new KubeClient(connection, {
    beforeWrite: () => {
      try {
        elector?.assertLeading();
      } catch (error) {
        metrics.writesRefused.inc();
        throw error;
      }
    },
    onRequest: (verb, path) => metrics.apiRequests.inc({ verb, resource: resourceOfPath(path) }),
  });
  const controllerOptions = {
    client,
    logger,
    metrics,
    ...buildReconciler(client, logger, metrics),
    ...config,
  };
  if (elector) elector.start();
  else lead();
  const health = await startHealthServer({
    ...config.http,
    registry: metrics.registry,
    // A standby is ready (it serves /metrics and waits); the leader once its watches have listed.
    ready: () => (controller ? controller.synced : elector !== undefined),
  });
  logger.info(
    { port: health.port, namespace: config.namespace || '*', leaderElection: le.enabled },
    'operator started',
  );
  return {
    port: health.port,
    metrics,
    isLeader: () => controller !== undefined && (elector?.isLeader ?? true),
    ready: () => (controller ? controller.synced : elector !== undefined),
    async stop() {
      await elector?.stop();
      if (controller) follow();
      await stopping;
      await health.close();
      client.close();
      leaseClient.close();
      logger.info('operator stopped');
    },
  };
}

/** `gravix operator`: runs until SIGTERM/SIGINT, then finishes in-flight reconciles and releases the lease. */
export async function run(_argv: string[]): Promise<number> {
  const config = loadConfig(process.env);
  const logger = pino({ level: config.logLevel, base: { component: 'gravix-operator' } });
  const operator = await startOperator(config, loadConnection(config), logger);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('shutdown requested');
  await operator.stop();
  return 0;
}
