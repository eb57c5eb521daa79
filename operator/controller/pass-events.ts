import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import type { KubeObject } from '../adapters/kube-client.js';
import type { GrowthRefusal } from '../domain/claim-growth.js';
import { deprecatedFieldsSet, describeDeprecatedFields } from '../domain/deprecated-fields.js';
import { GROWTH_REFUSED, type Observation } from '../domain/pipeline-status.js';
import type { Recreation } from './desired-apply.js';
import type { SecretsOutcome } from './generated-secrets.js';
import type { EventType } from './ports.js';

/** What one pass did, as its Events tell it. */
export interface PassResult {
  applied: KubeObject[];
  secrets: SecretsOutcome;
  rescueJobs: string[];
  rescuedClaims: string[];
  pruned: string[];
  growthRefusals: GrowthRefusal[];
  /** StatefulSets deleted this pass (pods orphaned) to be created anew, with why. */
  recreated: Recreation[];
}

/** Records one Event on the pipeline a pass is about. */
export type RecordEvent = (type: EventType, reason: string, message: string) => Promise<void>;

/** One Normal Event per thing the pass did; a Reconciled Event (and deprecation news) on a new generation. */
export async function announcePass(
  event: RecordEvent,
  pipeline: GravixPipeline,
  result: PassResult,
): Promise<void> {
  const { secrets } = result;
  for (const name of secrets.created) await event('Normal', 'SecretGenerated', `generated Secret ${name}`);
  for (const name of secrets.adopted)
    await event('Normal', 'SecretAdopted', `Secret ${name} now belongs to this pipeline`);
  for (const name of secrets.retired)
    await event('Normal', 'Pruned', `deleted Secret ${name}, no longer used`);
  for (const name of result.rescueJobs)
    await event('Normal', 'IngestRescueStarted', `started Job ${name} for a scaled-away ingest volume`);
  for (const name of result.rescuedClaims)
    await event(
      'Normal',
      'IngestVolumeRescued',
      `deleted PersistentVolumeClaim ${name}, its log is uploaded`,
    );
  for (const key of result.pruned) await event('Normal', 'Pruned', `deleted ${key}, no longer in the spec`);
  for (const { key, reason } of result.recreated)
    await event(
      'Normal',
      'StatefulSetRecreated',
      `deleted ${key} orphaning its pods, to create it anew with ${reason}`,
    );
  if (pipeline.status?.observedGeneration !== pipeline.metadata.generation) {
    const message = `applied ${result.applied.length} children for generation ${pipeline.metadata.generation}`;
    await event('Normal', 'Reconciled', message);
    await announceDeprecation(event, pipeline);
  }
}

/** On a new generation: a Warning while deprecated fields are set, one Normal Event when they are gone. */
async function announceDeprecation(event: RecordEvent, pipeline: GravixPipeline): Promise<void> {
  const ignored = deprecatedFieldsSet(pipeline);
  if (ignored.length > 0)
    return event('Warning', 'DeprecatedFieldIgnored', describeDeprecatedFields(ignored));
  if (pipeline.status?.conditions?.some((c) => c.type === 'Deprecated'))
    await event('Normal', 'DeprecatedFieldsRemoved', 'no deprecated field is set any more');
}

/** One Warning Event when a child gives up (the status keeps saying so until it is fixed). */
export async function announceChildFailure(
  event: RecordEvent,
  pipeline: GravixPipeline,
  observation: Observation,
): Promise<void> {
  const failure = observation.childFailure;
  if (!failure) return;
  const degraded = pipeline.status?.conditions?.find((c) => c.type === 'Degraded');
  if (degraded?.status === 'True' && degraded.message === failure.message) return;
  await event('Warning', failure.reason, failure.message);
}

/** One Warning Event when a growth is first refused or its reason changes (the condition keeps saying so). */
export async function announceGrowthRefused(
  event: RecordEvent,
  pipeline: GravixPipeline,
  message: string,
): Promise<void> {
  if (message === '') return;
  const before = pipeline.status?.conditions?.find((c) => c.type === GROWTH_REFUSED);
  if (before?.message === message) return;
  await event('Warning', 'StorageGrowthRefused', message);
}
