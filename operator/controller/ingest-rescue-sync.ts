import { COMPONENT_LABEL, PIPELINE_LABEL } from '../../cdk8s/naming.js';
import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import type { ChildPort } from './ports.js';
import type { KubeObject } from '../adapters/kube-client.js';
import { isNotFound } from '../adapters/kube-errors.js';
import { planIngestRescue, type IngestRescueInput, type IngestRescuePlan } from '../domain/ingest-rescue.js';

const CLAIM = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' };
const POD = { apiVersion: 'v1', kind: 'Pod' };
const JOB = { apiVersion: 'batch/v1', kind: 'Job' };
const STATEFUL_SET = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

type Named = KubeObject & { metadata: { name: string; deletionTimestamp?: string } };
type Job = Named & { status?: { succeeded?: number } };

/** Looks at the ingest StatefulSet, its claims, pods and rescue Jobs, and plans what to rescue (docs/adr/0067). */
export async function observeIngestRescue(
  children: ChildPort,
  pipeline: GravixPipeline,
): Promise<IngestRescuePlan> {
  const { namespace, name } = pipeline.metadata;
  const statefulSet = `${name}-ingest`;
  const selector = (component: string) => `${PIPELINE_LABEL}=${name},${COMPONENT_LABEL}=${component}`;
  const live = (await children
    .get({ ...STATEFUL_SET, metadata: { name: statefulSet, namespace } })
    .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)))) as
    (KubeObject & { spec?: { replicas?: number } }) | undefined;
  if (!live) return { rescue: [], deleteClaims: [] };
  const [claims, pods, jobs] = await Promise.all([
    children.list(CLAIM, namespace, selector('ingest')),
    children.list(POD, namespace, selector('ingest')),
    children.list(JOB, namespace, selector('ingest-rescue')),
  ]);
  const jobPrefix = `${name}-ingest-rescue-`;
  const input: IngestRescueInput = {
    statefulSet,
    replicas: live.spec?.replicas ?? 1,
    claims: (claims as Named[]).map((c) => ({
      name: c.metadata.name,
      deleting: c.metadata.deletionTimestamp !== undefined,
    })),
    pods: names(pods),
    jobs: new Map(
      (jobs as Job[])
        .filter((j) => j.metadata.name.startsWith(jobPrefix))
        .map((j) => [
          Number(j.metadata.name.slice(jobPrefix.length)),
          { succeeded: (j.status?.succeeded ?? 0) > 0 },
        ]),
    ),
  };
  const plan = planIngestRescue(input);
  // Pods come from the watch cache. A new rescue is the one decision a stale cache could make wrong (a pod just
  // created and not seen yet would share its log with the Job), so that decision is checked with a fresh list.
  if (!plan.rescue.some((ordinal) => !input.jobs.has(ordinal))) return plan;
  const fresh = await children.listFresh(POD, namespace, selector('ingest'));
  return planIngestRescue({ ...input, pods: names(fresh) });
}

const names = (objects: KubeObject[]) => (objects as Named[]).map((o) => o.metadata.name);

/** Deletes claims whose rescue Job succeeded: their logs are empty and every fact they held is stored. */
export async function deleteRescuedClaims(
  children: ChildPort,
  pipeline: GravixPipeline,
  claims: string[],
): Promise<void> {
  const { namespace } = pipeline.metadata;
  for (const claim of claims) {
    await children
      .delete({ ...CLAIM, metadata: { name: claim, namespace } })
      .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  }
}
