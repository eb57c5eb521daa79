import type { Manifest } from '../../cdk8s/pipeline-chart.js';
import { hashConfig } from '../../cdk8s/config-hash.js';
import { rolledSecretData } from '../../cdk8s/secrets.js';
import { MANAGED_BY, MANAGED_BY_LABEL, PIPELINE_LABEL } from '../../cdk8s/naming.js';
import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import type { ChildPort } from './ports.js';
import type { KubeObject } from '../adapters/kube-client.js';
import { isNotFound } from '../adapters/kube-errors.js';
import { ownerReference } from '../domain/desired-state.js';

/** Secrets earlier releases generated and this one does not: deleted on upgrade (Cube's, docs/adr/0068). */
export const RETIRED_SECRET_SUFFIXES = ['cube-secret'];

export interface SecretsOutcome {
  created: string[];
  /** Secrets that belonged to an earlier pipeline of the same name and now belong to this one. */
  adopted: string[];
  retired: string[];
  /**
   * Hash of the live values pods read once at start: they roll when it changes. The API keys Secret is not in it:
   * ingest and query re-read its file (docs/adr/0112, 0120).
   */
  hash: string;
}

type LiveSecret = KubeObject & {
  data?: Record<string, string>;
  metadata: { name: string; ownerReferences?: { uid?: string; controller?: boolean }[] };
};

const controlledBy = (o: LiveSecret, uid: string) =>
  (o.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === uid);

/**
 * Generated Secrets are created once and never regenerated, except when deleted: then they are created anew and
 * the hash of their live values changes, which rolls the pods that read them once (the API keys file, re-read by
 * its pods, rolls nothing). One that survived its pipeline
 * (delete and recreate before the garbage collector ran, or an orphaning delete) is adopted by the new pipeline,
 * so the collector cannot remove it later and with it the keys users hold.
 */
export async function ensureGeneratedSecrets(
  children: ChildPort,
  pipeline: GravixPipeline,
  secrets: Manifest[],
): Promise<SecretsOutcome> {
  const { namespace, name, uid = '' } = pipeline.metadata;
  const selector = `${PIPELINE_LABEL}=${name},${MANAGED_BY_LABEL}=${MANAGED_BY}`;
  const live = new Map(
    ((await children.list({ apiVersion: 'v1', kind: 'Secret' }, namespace, selector)) as LiveSecret[]).map(
      (s) => [s.metadata.name, s],
    ),
  );
  const outcome: SecretsOutcome = { created: [], adopted: [], retired: [], hash: '' };
  const values: Record<string, Record<string, string>> = {};
  for (const secret of secrets) {
    let current = live.get(secret.metadata.name);
    if (!current) {
      if (await children.createIfAbsent(secret)) outcome.created.push(secret.metadata.name);
      current = (await children.get(secret)) as LiveSecret | undefined;
    }
    if (!current) continue;
    if (!controlledBy(current, uid)) {
      await children.setOwner(current, ownerReference(pipeline));
      outcome.adopted.push(secret.metadata.name);
    }
    values[secret.metadata.name] = current.data ?? {};
  }
  for (const suffix of RETIRED_SECRET_SUFFIXES) {
    const retired = live.get(`${name}-${suffix}`);
    if (!retired || !controlledBy(retired, uid)) continue;
    await children.delete(retired).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
    outcome.retired.push(retired.metadata.name);
  }
  outcome.hash = hashConfig(rolledSecretData(values, name));
  return outcome;
}
