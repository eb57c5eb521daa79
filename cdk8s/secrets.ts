import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { KubeSecret } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { STORAGE_COMPONENTS } from '../workers/storage-setup/domain/component-policies.js';
import { childMetadata, childName, CREATE_ONLY_ANNOTATION } from './naming.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** The workers' API keys file (workers/domain/api-keys.ts): the default tenant's ingest key and query token. */
export function buildApiKeysFile(ingestKey: string, queryToken: string): string {
  return JSON.stringify({
    keys: [
      { name: 'ingest', tenant: 'default', sha256: sha256(ingestKey), scopes: ['ingest'] },
      { name: 'query', tenant: 'default', sha256: sha256(queryToken), scopes: ['query'] },
    ],
  });
}

/** Produces a fresh random value; injected so builders stay pure and tests deterministic. */
export type SecretGenerator = (bytes: number) => string;

export interface GeneratedSecretsProps {
  pipeline: GravixPipeline;
  generate: SecretGenerator;
}

/**
 * Secrets Gravix generates for itself. They carry the create-only annotation: the operator creates each
 * one only if absent and never applies it again, so a re-synthesis (with new random values) changes nothing.
 */
export class GeneratedSecrets extends Construct {
  constructor(scope: Construct, id: string, props: GeneratedSecretsProps) {
    super(scope, id);
    const { pipeline, generate } = props;
    const secret = (suffix: string, stringData: Record<string, string>) =>
      new KubeSecret(this, suffix, {
        metadata: {
          ...childMetadata(pipeline, 'secrets', childName(pipeline, suffix)),
          annotations: { [CREATE_ONLY_ANNOTATION]: 'true' },
        },
        type: 'Opaque',
        stringData,
      });
    if (pipeline.spec.storage.mode === 'minio') {
      secret('minio-credentials', { accessKeyId: `gravix-${generate(6)}`, secretAccessKey: generate(24) });
      // One MinIO user per component (docs/adr/0063); the storage Job creates them with these keys.
      for (const component of STORAGE_COMPONENTS) {
        secret(`s3-${component}`, {
          accessKeyId: `gravix-${component}-${generate(6)}`,
          secretAccessKey: generate(24),
        });
      }
    }
    const ingestKey = `gx_${generate(24)}`;
    const queryToken = `gxq_${generate(24)}`;
    // Plain values for the user to hand out; keys.json (hashes only) is what the workers mount.
    secret('api-keys', {
      'ingest-key': ingestKey,
      'query-token': queryToken,
      'keys.json': buildApiKeysFile(ingestKey, queryToken),
    });
    if (pipeline.spec.cube.enabled) secret('cube-secret', { apiSecret: generate(32) });
  }
}
