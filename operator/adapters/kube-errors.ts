/** A non-2xx answer from the apiserver; `status` and the Status `reason` drive retries and user-facing messages. */
export class KubeApiError extends Error {
  readonly code = 'KUBE_API_ERROR';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly reason: string,
    readonly detail: string,
  ) {
    super(`${method} ${path} failed with ${status} ${reason}: ${detail}`);
  }
}

/** The apiserver could not be reached at all (refused, reset, timed out). */
export class KubeUnreachableError extends Error {
  readonly code = 'KUBE_UNREACHABLE';
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 404;
}

export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 409;
}
