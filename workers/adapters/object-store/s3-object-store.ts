import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { parseObjectKey, parseObjectPrefix } from './object-key.js';
import {
  ObjectStoreError,
  ObjectStoreUnavailableError,
  PreconditionFailedError,
  UploadVerificationError,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
  type StoredObject,
} from './object-store.js';

export interface S3ObjectStoreOptions {
  bucket: string;
  /** Prepended to every key, e.g. 'gravix/'. */
  keyPrefix?: string;
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle?: boolean;
  /** Attempts per request, with the SDK's exponential backoff and jitter between them. */
  maxAttempts?: number;
  requestTimeoutMs?: number;
}

const unquote = (etag: string | undefined): string => (etag ?? '').replace(/^"|"$/g, '');

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** Maps SDK failures onto the ObjectStore error classes; 404 is the caller's business. */
function translate(error: unknown, action: string, key: string): Error {
  if (error instanceof ObjectStoreError) return error;
  const status = statusOf(error);
  if (status === 412)
    return new PreconditionFailedError(`${action} '${key}': precondition failed`, { cause: error });
  if (status === undefined || status >= 500 || status === 429 || status === 408) {
    return new ObjectStoreUnavailableError(`${action} '${key}': object store unavailable`, { cause: error });
  }
  return error instanceof Error ? error : new ObjectStoreError(`${action} '${key}': ${String(error)}`);
}

/** ObjectStore on S3 or MinIO, with verified uploads (Content-MD5 checked by the server, ETag checked here). */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly keyPrefix: string;

  constructor(options: S3ObjectStoreOptions) {
    this.bucket = options.bucket;
    this.keyPrefix = options.keyPrefix ?? '';
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle ?? true,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      maxAttempts: options.maxAttempts ?? 4,
      requestHandler: new NodeHttpHandler({
        connectionTimeout: 3_000,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
      }),
    });
  }

  private fullKey(key: string): string {
    return this.keyPrefix + parseObjectKey(key);
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<PutResult> {
    const md5 = createHash('md5').update(body);
    const md5Hex = md5.copy().digest('hex');
    let etag: string;
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.fullKey(key),
          Body: body,
          ContentMD5: md5.digest('base64'),
          ContentType: options.contentType,
          IfNoneMatch: options.ifNoneMatch,
          IfMatch: options.ifMatch,
        }),
      );
      etag = unquote(out.ETag);
    } catch (error) {
      throw translate(error, 'put', key);
    }
    if (etag !== md5Hex) {
      throw new UploadVerificationError(
        `put '${key}': stored ETag '${etag}' is not the body MD5 '${md5Hex}'`,
      );
    }
    return { etag };
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }),
      );
      const body = await out.Body!.transformToByteArray();
      return { key, size: body.byteLength, etag: unquote(out.ETag), body };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw translate(error, 'get', key);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }),
      );
      return { key, size: out.ContentLength ?? 0, etag: unquote(out.ETag) };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw translate(error, 'head', key);
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    parseObjectPrefix(prefix);
    const found: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.listPage(prefix, token);
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        found.push({
          key: item.Key.slice(this.keyPrefix.length),
          size: item.Size ?? 0,
          etag: unquote(item.ETag),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  private async listPage(prefix: string, token: string | undefined) {
    try {
      return await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.keyPrefix + prefix,
          ContinuationToken: token,
        }),
      );
    } catch (error) {
      throw translate(error, 'list', prefix);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
    } catch (error) {
      throw translate(error, 'delete', key);
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
