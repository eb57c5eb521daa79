import { createHash, createHmac } from 'node:crypto';

export interface SignV4Input {
  method: string;
  url: URL;
  body: Uint8Array;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** `s3` for S3 and MinIO's admin API. */
  service: string;
  now?: Date;
}

const sha256Hex = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

// RFC 3986 unreserved characters stay; everything else is percent-encoded (AWS canonical query rules).
const encode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(url: URL): string {
  return [...url.searchParams.entries()]
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
}

/**
 * AWS Signature Version 4 headers for one request (what MinIO's admin API checks; the S3 SDK signs its own
 * requests). Signs host, x-amz-content-sha256 and x-amz-date.
 */
export function signV4(input: SignV4Input): Record<string, string> {
  const amzDate = (input.now ?? new Date()).toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256Hex(input.body);
  const headers: Record<string, string> = {
    host: input.url.host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
  };
  const signedHeaders = Object.keys(headers).sort();
  const headerLines = signedHeaders.map((h) => `${h}:${headers[h]}\n`).join('');
  const request = [
    input.method,
    input.url.pathname,
    canonicalQuery(input.url),
    headerLines,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(request)].join('\n');
  const key = [day, input.region, input.service, 'aws4_request'].reduce<Buffer | string>(
    (k, part) => hmac(k, part),
    `AWS4${input.secretAccessKey}`,
  );
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
  };
}
