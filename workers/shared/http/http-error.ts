/** An error with an HTTP status and a stable code; the error middleware renders it as the API's error body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: {
      field?: string;
      retryAfterSeconds?: number;
      /** Methods the path takes, sent as `Allow` (a 405). */
      allow?: readonly string[];
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(message);
  }
}
