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

/**
 * Generated Secrets whose every reader re-reads the mounted file while running: the API keys file (ingest and query
 * re-read it every GRAVIX_KEYS_RELOAD_MS, docs/adr/0112). They stay out of the hash that rolls pods
 * (`rolledSecretData`), so a key added to or removed from `<pipeline>-api-keys` takes effect in the running pods
 * instead of restarting them (docs/adr/0120).
 */
export const RELOADED_SECRET_SUFFIXES: readonly string[] = ['api-keys'];

/** The Secrets of `data` (keyed by name suffix or full name) that pods read once at start: what rolls them. */
export function rolledSecretData<T>(data: Record<string, T>, pipelineName?: string): Record<string, T> {
  const reloaded = new Set(
    RELOADED_SECRET_SUFFIXES.flatMap((suffix) => [
      suffix,
      ...(pipelineName ? [`${pipelineName}-${suffix}`] : []),
    ]),
  );
  return Object.fromEntries(Object.entries(data).filter(([name]) => !reloaded.has(name)));
}

/** Produces a fresh random value; injected so builders stay pure and tests deterministic. */
export type SecretGenerator = (bytes: number) => string;

/** A generated Secret's name suffix (`<pipeline>-<suffix>`) and its values. */
export type GeneratedSecretData = Record<string, Record<string, string>>;

/** The values of every Secret Gravix generates for a pipeline, fresh from `generate`. */
export function buildGeneratedSecretData(
  pipeline: GravixPipeline,
  generate: SecretGenerator,
): GeneratedSecretData {
  const data: GeneratedSecretData = {};
  if (pipeline.spec.storage.mode === 'minio') {
    data['minio-credentials'] = { accessKeyId: `gravix-${generate(6)}`, secretAccessKey: generate(24) };
    // One MinIO user per component (docs/adr/0063); the storage Job creates them with these keys.
    for (const component of STORAGE_COMPONENTS) {
      data[`s3-${component}`] = {
        accessKeyId: `gravix-${component}-${generate(6)}`,
        secretAccessKey: generate(24),
      };
    }
  }
  const ingestKey = `gx_${generate(24)}`;
  const queryToken = `gxq_${generate(24)}`;
  // Plain values for the user to hand out; keys.json (hashes only) is what the workers mount.
  data['api-keys'] = {
    'ingest-key': ingestKey,
    'query-token': queryToken,
    'keys.json': buildApiKeysFile(ingestKey, queryToken),
  };
  return data;
}

/**
 * Secrets Gravix generates for itself. They carry the create-only annotation: the operator creates each
 * one only if absent and never applies it again, so a re-synthesis (with new random values) changes nothing.
 * The pods that read them carry a hash of their live values (the config-hash annotation): workers read the storage
 * credentials once at start, so a deleted Secret that the operator generates anew rolls them. The API keys file is
 * re-read (docs/adr/0112) and left out of that hash (RELOADED_SECRET_SUFFIXES, docs/adr/0120).
 */
export class GeneratedSecrets extends Construct {
  constructor(scope: Construct, id: string, props: { pipeline: GravixPipeline; data: GeneratedSecretData }) {
    super(scope, id);
    const { pipeline } = props;
    for (const [suffix, stringData] of Object.entries(props.data)) {
      new KubeSecret(this, suffix, {
        metadata: {
          ...childMetadata(pipeline, 'secrets', childName(pipeline, suffix)),
          annotations: { [CREATE_ONLY_ANNOTATION]: 'true' },
        },
        type: 'Opaque',
        stringData,
      });
    }
  }
}
