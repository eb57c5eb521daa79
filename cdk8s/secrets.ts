import { Construct } from 'constructs';
import { KubeSecret } from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { childMetadata, childName, CREATE_ONLY_ANNOTATION } from './naming.js';

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
    }
    // `<key>:<tenant>` pairs, one per line; the first pipeline key belongs to the default tenant.
    secret('api-keys', { keys: `gx_${generate(24)}:default` });
    secret('query-token', { token: generate(24) });
    if (pipeline.spec.cube.enabled) secret('cube-secret', { apiSecret: generate(32) });
  }
}
