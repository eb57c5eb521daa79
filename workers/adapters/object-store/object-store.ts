/**
 * Where sealed raw segments and metric partitions live. Two adapters implement
 * it (local filesystem, S3); both pass object-store.contract.ts.
 */
export interface ObjectStore {
  /** Writes the whole object atomically; readers never see a partial body. */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<PutResult>;
  /** Returns undefined when the key does not exist. */
  get(key: string): Promise<StoredObject | undefined>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Every key under the prefix, in lexicographic order. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

export interface PutOptions {
  /** '*' = create only if absent; an etag = replace only if the current object has it. */
  ifNoneMatch?: '*';
  ifMatch?: string;
  contentType?: string;
}

export interface PutResult {
  etag: string;
}

export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
}

export interface StoredObject extends ObjectInfo {
  body: Uint8Array;
}

export class ObjectStoreError extends Error {
  readonly code: string = 'OBJECT_STORE_ERROR';
}

/** A conditional put lost: the object exists (ifNoneMatch) or changed (ifMatch). */
export class PreconditionFailedError extends ObjectStoreError {
  override readonly code = 'PRECONDITION_FAILED';
}

export class InvalidObjectKeyError extends ObjectStoreError {
  override readonly code = 'INVALID_OBJECT_KEY';
}

/** The store could not be reached or answered with a server error; retrying later may succeed. */
export class ObjectStoreUnavailableError extends ObjectStoreError {
  override readonly code = 'OBJECT_STORE_UNAVAILABLE';
}

/** The stored bytes do not match what was sent. */
export class UploadVerificationError extends ObjectStoreError {
  override readonly code = 'UPLOAD_VERIFICATION_FAILED';
}
