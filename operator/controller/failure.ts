import { InvalidPipelineError } from '../../crds/gravix-pipeline.js';
import { ChildApplyError } from '../adapters/child-writer.js';
import { KubeApiError, KubeUnreachableError } from '../adapters/kube-errors.js';
import type { ReconcileFailure } from '../domain/pipeline-status.js';

/** Maps an error to the reason/message a user sees in status conditions and Events. */
export function describeFailure(error: unknown): ReconcileFailure {
  if (error instanceof ChildApplyError) {
    const cause = error.cause;
    const detail = cause instanceof KubeApiError ? cause.detail : (cause as Error).message;
    return { reason: 'ApplyFailed', message: `${error.object}: ${detail}` };
  }
  if (error instanceof InvalidPipelineError) return { reason: 'InvalidSpec', message: error.message };
  if (error instanceof KubeUnreachableError) return { reason: 'ApiUnavailable', message: error.message };
  if (error instanceof KubeApiError) return { reason: error.reason || 'ApiError', message: error.message };
  return { reason: 'InternalError', message: error instanceof Error ? error.message : String(error) };
}
