import { encryptAdminPayload } from './madmin-payload.js';
import { signV4 } from './sign-v4.js';

export interface MinioAdminOptions {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** MinIO answered an admin call with an error; the message carries MinIO's own code and words. */
export class MinioAdminError extends Error {
  readonly code = 'MINIO_ADMIN_ERROR';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * The three MinIO admin API calls the storage setup needs (madmin-go's AddCannedPolicy, AddUser and
 * SetPolicy), over plain fetch with SigV4 signing. Each is idempotent: the same call again overwrites.
 */
export class MinioAdminClient {
  constructor(private readonly options: MinioAdminOptions) {}

  private async call(method: string, path: string, query: Record<string, string>, body: Buffer) {
    const url = new URL(`/minio/admin/v3/${path}`, this.options.endpoint);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers = signV4({ method, url, body, service: 's3', ...this.options });
    const res = await fetch(url, {
      method,
      headers,
      body: body.byteLength > 0 ? new Uint8Array(body) : undefined,
    });
    if (!res.ok) {
      const text = await res.text();
      throw new MinioAdminError(
        `MinIO admin ${path} answered ${res.status}: ${text.slice(0, 500)}`,
        res.status,
      );
    }
  }

  addCannedPolicy(name: string, policy: unknown): Promise<void> {
    return this.call('PUT', 'add-canned-policy', { name }, Buffer.from(JSON.stringify(policy)));
  }

  addUser(accessKey: string, secretKey: string): Promise<void> {
    const payload = Buffer.from(JSON.stringify({ secretKey, status: 'enabled' }));
    return this.call(
      'PUT',
      'add-user',
      { accessKey },
      encryptAdminPayload(this.options.secretAccessKey, payload),
    );
  }

  /** Replaces the user's policies with this one. */
  setUserPolicy(accessKey: string, policyName: string): Promise<void> {
    return this.call(
      'PUT',
      'set-user-or-group-policy',
      { policyName, userOrGroup: accessKey, isGroup: 'false' },
      Buffer.alloc(0),
    );
  }
}
