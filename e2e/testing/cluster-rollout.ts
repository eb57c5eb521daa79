import { kubectl } from '../../testbin/harness/cluster.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';

/**
 * What the upgrade tests read of a pipeline's pods on the single-node cluster: its workload pods (Job pods run to
 * completion and are not rolled), whether one is Ready, and whether a `spec.version` upgrade has rolled them all.
 */
export interface Pod {
  metadata: {
    name: string;
    uid: string;
    deletionTimestamp?: string;
    ownerReferences?: { kind: string }[];
  };
  spec: { containers: { image: string }[] };
  status: {
    phase: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: {
      restartCount: number;
      lastState?: { terminated?: { exitCode: number; reason?: string; finishedAt?: string } };
    }[];
  };
}

export const podReady = (p: Pod) =>
  p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** The pipeline's pods owned by a Deployment's ReplicaSet or a StatefulSet, terminating ones included. */
export async function workloadPods(namespace: string, pipeline: string): Promise<Pod[]> {
  const list = JSON.parse(
    await kubectl(['-n', namespace, 'get', 'pods', '-l', `gravix.dev/pipeline=${pipeline}`, '-o', 'json']),
  ) as { items: Pod[] };
  return list.items.filter((p) => p.metadata.ownerReferences?.some((o) => o.kind !== 'Job'));
}

/**
 * Why the pods are not (yet) all rolled to `tag`, or undefined when they are: as many pods as before, none of them
 * one of the old ones (so no old pod is stuck terminating), every one Running and Ready, and every container of
 * the Gravix workers image on the new tag.
 */
export function rolloutProblem(pods: Pod[], before: ReadonlySet<string>, tag: string): string | undefined {
  const old = pods.filter((p) => before.has(p.metadata.uid)).map((p) => p.metadata.name);
  if (old.length > 0) return `old pods still there: ${old.join(', ')}`;
  if (pods.length !== before.size) return `${pods.length} pods, ${before.size} before`;
  const unready = pods
    .filter((p) => p.status.phase !== 'Running' || !podReady(p))
    .map((p) => p.metadata.name);
  if (unready.length > 0) return `not Ready: ${unready.join(', ')}`;
  const stale = pods
    .flatMap((p) => p.spec.containers.map((c) => c.image))
    .filter((image) => image.includes('gravix-workers') && !image.endsWith(`:${tag}`));
  return stale.length > 0 ? `workers images not on ${tag}: ${stale.join(', ')}` : undefined;
}

/**
 * Restarts of a pod's containers so far (a container restart re-reads everything it read at start): the one
 * reading of restart counts in the cluster tests; with the pod's uid (a new pod) it tells whether a pod restarted.
 */
export const restarts = (p: Pod) => p.status.containerStatuses?.reduce((n, c) => n + c.restartCount, 0) ?? 0;

/** One pod by name, as it is now. */
export async function loadPod(namespace: string, name: string): Promise<Pod> {
  return JSON.parse(await kubectl(['-n', namespace, 'get', 'pod', name, '-o', 'json'])) as Pod;
}

/** How a pod's containers last ended before they were restarted, e.g. " (last exit 1, Error at ...)"; or "". */
export const lastExit = (p: Pod) =>
  (p.status.containerStatuses ?? [])
    .map((c) => c.lastState?.terminated)
    .filter((t) => t !== undefined)
    .map((t) => ` (last exit ${t.exitCode}, ${t.reason ?? 'no reason'} at ${t.finishedAt ?? '?'})`)
    .join('');

/** The pods of one component (`<pipeline>-<component>-...`), a terminating one included while it is replaced. */
export async function componentPods(namespace: string, pipeline: string, component: string): Promise<Pod[]> {
  const prefix = `${pipeline}-${component}-`;
  return (await workloadPods(namespace, pipeline)).filter((p) => p.metadata.name.startsWith(prefix));
}

/** Waits until the component has exactly one pod, not terminating, and Ready. */
export function oneReadyPod(namespace: string, pipeline: string, component: string): Promise<Pod> {
  return waitUntil(
    async () => {
      const pods = (await componentPods(namespace, pipeline, component)).filter(
        (p) => !p.metadata.deletionTimestamp,
      );
      return pods.length === 1 && podReady(pods[0]!) ? pods[0] : undefined;
    },
    { what: `one Ready ${component} pod`, timeoutMs: 300_000, intervalMs: 2_000 },
  );
}

/** Whether the pipeline is Available for `generation` (observed, condition True). */
export async function availableFor(
  namespace: string,
  pipeline: string,
  generation: number,
): Promise<boolean> {
  type Status = { observedGeneration?: number; conditions?: { type: string; status: string }[] };
  const p = JSON.parse(
    await kubectl(['-n', namespace, 'get', `gravixpipeline/${pipeline}`, '-o', 'json']),
  ) as { status?: Status };
  const available = p.status?.conditions?.find((c) => c.type === 'Available');
  return p.status?.observedGeneration === generation && available?.status === 'True';
}
