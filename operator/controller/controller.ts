import type { Logger } from 'pino';
import { PIPELINE_LABEL, MANAGED_BY, MANAGED_BY_LABEL } from '../../cdk8s/naming.js';
import { API_VERSION, KIND, PLURAL } from '../../crds/gravix-pipeline-crd.js';
import type { ChildCache } from '../adapters/child-cache.js';
import type { PipelineCache } from '../adapters/pipeline-cache.js';
import type { TenantCache } from '../adapters/tenant-cache.js';
import { tenantPipeline } from '../domain/tenant-plan.js';
import {
  TENANT_API_VERSION,
  TENANT_CRD_NAME,
  TENANT_KIND,
  TENANT_PLURAL,
} from '../../crds/gravix-tenant-crd.js';
import type { KubeClient, KubeObject } from '../adapters/kube-client.js';
import { resourcePath } from '../adapters/resource-paths.js';
import { PROMETHEUS_OPERATOR_PROBE_PLURAL } from '../adapters/discovery.js';
import { Watcher, type WatchEventType } from '../adapters/watcher.js';
import { crdNameOf, wakesPipeline, watchedChildKinds, type RegisteredKind } from '../domain/kind-registry.js';
import type { OperatorMetrics } from '../metrics.js';
import type { PipelineReconciler } from './reconciler.js';
import { WorkQueue } from './work-queue.js';

export interface ControllerOptions {
  client: KubeClient;
  reconciler: PipelineReconciler;
  logger: Logger;
  metrics: OperatorMetrics;
  /** '' watches every namespace. */
  namespace: string;
  concurrency: number;
  resyncMs: number;
  /** The informer store the reconciler reads children from; fed here by the child watches. */
  cache: ChildCache;
  /** The store the reconciler reads pipelines from; fed here by the pipeline watch. */
  pipelineCache: PipelineCache;
  /** The store the reconciler reads GravixTenants from; fed here by the tenant watch. */
  tenantCache: TenantCache;
  /**
   * What the ServiceMonitor watch learns about the Prometheus operator CRDs (listed: served; 404: not); returns
   * true when that changed what passes knew, and every pipeline is then visited (adapters/discovery.ts).
   */
  onPrometheusOperatorServed?(served: boolean): boolean;
  /**
   * How long an unserved optional kind (a Prometheus operator CRD not installed) waits before it is asked for
   * again: `firstMs`, doubling up to `maxMs`. Its CRD's watch, where RBAC allows it, ends the wait at once.
   */
  optionalKindRetry?: { firstMs: number; maxMs: number };
}

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

type Crd = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };
const established = (crd: Crd) =>
  crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;

const keyOf = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;

/** What a pass reads from a pipeline besides its status: spec (generation), annotations (pause), labels, deletion. */
function pipelineSignature(o: KubeObject): string {
  const m = o.metadata as {
    uid?: string;
    generation?: number;
    annotations?: unknown;
    labels?: unknown;
    deletionTimestamp?: string;
  };
  return JSON.stringify([
    m.uid,
    m.generation,
    m.annotations ?? {},
    m.labels ?? {},
    m.deletionTimestamp ?? '',
  ]);
}

/**
 * Watches pipelines and every owned kind, feeds keys into the work queue, and resyncs on a timer so drift the
 * watches missed is still repaired. Runs only while this replica leads.
 */
export class PipelineController {
  /** Each known pipeline's last seen wake-up signature (see pipelineSignature). */
  private readonly pipelines = new Map<string, string>();
  private readonly watchers: Watcher[] = [];
  private readonly unsynced = new Set<string>();
  private queue: WorkQueue | undefined;
  private resync: NodeJS.Timeout | undefined;

  constructor(private readonly options: ControllerOptions) {}

  /** True once every watch has completed its first list. */
  get synced(): boolean {
    return this.queue !== undefined && this.unsynced.size === 0;
  }

  start(): void {
    const { reconciler, metrics, concurrency, logger } = this.options;
    this.queue = new WorkQueue({
      concurrency,
      handler: async (key) => {
        const end = metrics.reconcileSeconds.startTimer();
        await reconciler.reconcile(key).finally(end);
      },
      onResult: (key, ok, error) => {
        metrics.reconciles.inc({ result: ok ? 'success' : 'error' });
        if (!ok) logger.debug({ key, err: error }, 'reconcile will be retried');
      },
    });
    this.watchPipelines();
    // Tenants are optional: without their CRD pipelines run (no tenant to publish) and the operator is ready;
    // the CRD's appearance starts the tenant watch within seconds where RBAC lets the operator watch it.
    this.watchCrd(TENANT_CRD_NAME, this.watchTenants(), `CustomResourceDefinition/${TENANT_CRD_NAME}`);
    for (const kind of watchedChildKinds()) {
      const watcher = this.watchChildren(kind);
      if (kind.prometheusOperator) this.watchCrd(crdNameOf(kind), watcher);
    }
    for (const w of this.watchers) w.start();
    this.resync = setInterval(() => {
      for (const key of this.pipelines.keys()) this.enqueue(key);
    }, this.options.resyncMs);
  }

  /** Stops watches and timers, then waits for in-flight reconciles (graceful shutdown / lost leadership). */
  async stop(): Promise<void> {
    clearInterval(this.resync);
    await Promise.all(this.watchers.splice(0).map((w) => w.stop()));
    await this.queue?.shutDown();
    this.queue = undefined;
  }

  private enqueue(key: string): void {
    this.queue?.add(key);
    this.options.metrics.queueDepth.set(this.queue?.depth ?? 0);
  }

  /** The probe kind's watch says whether the Prometheus operator is installed; a change visits every pipeline. */
  private servedReporter(kind: Pick<RegisteredKind, 'plural'>) {
    const report = this.options.onPrometheusOperatorServed;
    if (!report || kind.plural !== PROMETHEUS_OPERATOR_PROBE_PLURAL) return {};
    const served = (value: boolean) => {
      if (report(value)) for (const key of this.pipelines.keys()) this.enqueue(key);
    };
    return { onListed: () => served(true), onNotServed: () => served(false) };
  }

  private watcher(
    kind: Pick<RegisteredKind, 'apiVersion' | 'kind' | 'plural' | 'prometheusOperator'> & {
      optional?: boolean;
    },
    labelSelector: string | undefined,
    onEvent: (t: WatchEventType, o: KubeObject) => void,
    onList?: (items: KubeObject[]) => void,
  ) {
    const path = resourcePath({
      apiVersion: kind.apiVersion,
      kind: kind.kind,
      namespace: this.options.namespace || undefined,
    });
    this.unsynced.add(kind.kind);
    const { onListed, onNotServed } = this.servedReporter(kind);
    const watcher = new Watcher({
      client: this.options.client,
      path,
      labelSelector,
      onEvent,
      onList,
      logger: this.options.logger,
      onSynced: () => {
        this.unsynced.delete(kind.kind);
        onListed?.();
      },
      onNotServed,
      onRestart: () => this.options.metrics.watchRestarts.inc({ kind: kind.kind }),
      ...this.retryPace(),
    });
    this.watchers.push(watcher);
    // Optional kinds (Prometheus operator CRDs, GravixTenant) may never be served; they must not hold readiness back.
    if (kind.prometheusOperator || kind.optional) this.unsynced.delete(kind.kind);
    return watcher;
  }

  private retryPace() {
    const pace = this.options.optionalKindRetry;
    return pace ? { notServedRetryMs: pace.firstMs, notServedMaxRetryMs: pace.maxMs } : {};
  }

  /**
   * Watches an optional kind's CRD by name (cluster-scoped: the chart grants it with watchAllNamespaces or
   * rbac.clusterReads). Once it is established the kind's watch, backed off while the kind was not served, lists
   * at once, so a Prometheus operator installed after this operator is used within seconds (docs/adr/0105). A 403
   * (namespaced RBAC) is asked again at the unserved pace, and the kind's own retry (optionalKindRetry) is then
   * what notices the install. `metricKind` labels its restarts (the Prometheus operator's CRDs share one label).
   */
  private watchCrd(crd: string, kindWatcher: Watcher, metricKind = 'CustomResourceDefinition'): void {
    let refused = false;
    this.watchers.push(
      new Watcher({
        client: this.options.client,
        path: CRD_PATH,
        fieldSelector: `metadata.name=${crd}`,
        slowRetryStatuses: [403, 404],
        onEvent: (type, object) => {
          if (type !== 'DELETED' && established(object as Crd)) kindWatcher.retryNow();
        },
        onNotServed: () => {
          if (!refused)
            this.options.logger.info({ crd }, 'cannot watch the CRD; its kind is retried on a timer');
          refused = true;
        },
        logger: this.options.logger,
        onRestart: () => this.options.metrics.watchRestarts.inc({ kind: metricKind }),
        ...this.retryPace(),
      }),
    );
  }

  private watchPipelines(): void {
    const { pipelineCache } = this.options;
    this.watcher(
      { apiVersion: API_VERSION, kind: KIND, plural: PLURAL },
      undefined,
      (type, object) => this.onPipelineEvent(type, object),
      (items) => pipelineCache.replace(items),
    );
  }

  private onPipelineEvent(type: WatchEventType, object: KubeObject): void {
    const { pipelineCache } = this.options;
    const key = keyOf(object);
    // The cache first: the pass this event may start reads the pipeline from it.
    if (type === 'DELETED') pipelineCache.remove(object);
    else pipelineCache.upsert(object);
    if (type === 'DELETED') {
      this.pipelines.delete(key);
      return this.enqueue(key);
    }
    // A status write (ours, after every pass that changed something) moves neither generation nor metadata:
    // it must not wake another pass. Relists (ADDED again) pass the same filter; the resync timer still visits all.
    const signature = pipelineSignature(object);
    if (this.pipelines.get(key) === signature) return;
    this.pipelines.set(key, signature);
    this.enqueue(key);
  }

  /**
   * GravixTenants are users' objects (no managed-by label): all of them in the watched namespaces. A tenant's event
   * wakes the pipeline it names, and the one it named before when that changed (its ConfigMap must drop it).
   */
  private watchTenants(): Watcher {
    const { tenantCache } = this.options;
    const namespaced = (object: KubeObject, pipeline: string | undefined) =>
      pipeline ? [`${object.metadata?.namespace}/${pipeline}`] : [];
    return this.watcher(
      { apiVersion: TENANT_API_VERSION, kind: TENANT_KIND, plural: TENANT_PLURAL, optional: true },
      undefined,
      (type, object) => {
        if (type === 'DELETED') tenantCache.remove(object);
        const wake =
          type === 'DELETED'
            ? namespaced(object, tenantPipeline(object))
            : tenantCache.upsert(object).flatMap((p) => namespaced(object, p));
        for (const key of wake) this.enqueue(key);
      },
      (items) => {
        for (const key of tenantCache.replace(items)) this.enqueue(key);
      },
    );
  }

  private watchChildren(kind: RegisteredKind): Watcher {
    const { cache } = this.options;
    return this.watcher(
      kind,
      `${MANAGED_BY_LABEL}=${MANAGED_BY}`,
      (type, object) => {
        if (type === 'DELETED') cache.remove(kind, object);
        else cache.upsert(kind, object);
        if (!wakesPipeline(kind, type)) return;
        const pipeline = object.metadata?.labels as Record<string, string> | undefined;
        const name = pipeline?.[PIPELINE_LABEL];
        if (name) this.enqueue(`${object.metadata?.namespace}/${name}`);
      },
      (items) => cache.replace(kind, items),
    );
  }
}
