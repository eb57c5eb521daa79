import { randomBytes } from 'node:crypto';
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeConfigMap } from './k8s-imports.js';
import { Alerting } from './alerting.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { hashConfig } from './config-hash.js';
import { IngestRescue } from './ingest-rescue.js';
import { Ingestion } from './ingestion.js';
import { PipelineIngress } from './ingress.js';
import { Minio } from './minio.js';
import { Monitoring } from './monitoring.js';
import { childMetadata } from './naming.js';
import { PipelineNetworkPolicies } from './network-policies.js';
import { buildPipelineConfig, configMapName } from './pipeline-config.js';
import { Query } from './query.js';
import { Rollup } from './rollup.js';
import {
  buildGeneratedSecretData,
  GeneratedSecrets,
  rolledSecretData,
  type SecretGenerator,
} from './secrets.js';
import { StorageSetup } from './storage-setup.js';
import { TenantsConfig, type PublishedTenants } from './tenants-config.js';
import { Trino } from './trino.js';
import { buildTrinoConfig } from './trino-config.js';
import { buildTrinoFunctionsConfigMapData } from './trino-functions.js';

/** A Kubernetes object as sent to the apiserver. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

export interface PipelineChartProps {
  pipeline: GravixPipeline;
  generate: SecretGenerator;
  /** ServiceMonitor and PrometheusRule are emitted only when the Prometheus operator CRDs exist. */
  prometheusOperator: boolean;
  /**
   * Hash of the generated Secrets' live values that pods read once (the operator reads them back after creating
   * them; `rolledSecretData`); pods that read such a Secret roll when it changes. Unset (`gravix synth`): the hash
   * of the values synthesized here.
   */
  secretsHash?: string;
  /** Ordinals of scaled-away ingest replicas whose claims get a rescue Job (the operator plans them). */
  ingestRescue?: number[];
  /** The GravixTenants that name this pipeline (the operator reads them); none when unset. */
  tenants?: PublishedTenants;
}

const NO_TENANTS: PublishedTenants = { settings: [], authors: {} };

/** Every child of one GravixPipeline; what is emitted depends only on the spec (and the props). */
export class GravixPipelineChart extends Chart {
  constructor(scope: Construct, id: string, props: PipelineChartProps) {
    super(scope, id, { namespace: props.pipeline.metadata.namespace, disableResourceNameHashes: true });
    const { pipeline } = props;
    const spec = pipeline.spec;
    const config = buildPipelineConfig(pipeline);
    const secretData = buildGeneratedSecretData(pipeline, props.generate);
    const secretsHash = props.secretsHash ?? hashConfig(rolledSecretData(secretData));
    // Workers read their storage credentials once at start: the Secrets' hash rolls them. The API keys file they
    // re-read is not in it (rolledSecretData, docs/adr/0120).
    const workerHash = hashConfig(config, secretsHash);
    new KubeConfigMap(this, 'config', {
      metadata: childMetadata(pipeline, 'config', configMapName(pipeline)),
      data: config,
    });
    new GeneratedSecrets(this, 'secrets', { pipeline, data: secretData });
    new TenantsConfig(this, 'tenants', { pipeline, tenants: props.tenants ?? NO_TENANTS });
    new StorageSetup(this, 'storage-setup', { pipeline, configHash: workerHash });
    new Ingestion(this, 'ingest', { pipeline, configHash: workerHash });
    for (const ordinal of props.ingestRescue ?? [])
      new IngestRescue(this, `ingest-rescue-${ordinal}`, { pipeline, ordinal, configHash: workerHash });
    new Rollup(this, 'rollup', { pipeline, configHash: workerHash });
    new Query(this, 'query', { pipeline, configHash: workerHash });
    if (spec.alerts.enabled) new Alerting(this, 'alert', { pipeline, configHash: workerHash });
    // A new version of Gravix's Trino functions rolls the Trino pods, whose init container builds them.
    const trinoHash = hashConfig(buildTrinoConfig(pipeline), buildTrinoFunctionsConfigMapData(), secretsHash);
    new Trino(this, 'trino', { pipeline, configHash: trinoHash });
    if (spec.storage.mode === 'minio') new Minio(this, 'minio', { pipeline, secretsHash });
    if (spec.ingress.enabled) new PipelineIngress(this, 'ingress', { pipeline });
    if (spec.networkPolicies.enabled) new PipelineNetworkPolicies(this, 'netpol', { pipeline });
    if (spec.monitoring.enabled)
      new Monitoring(this, 'monitoring', { pipeline, prometheusOperator: props.prometheusOperator });
  }
}

export const randomSecret: SecretGenerator = (bytes) => randomBytes(bytes).toString('base64url');

export interface SynthOptions {
  generate?: SecretGenerator;
  prometheusOperator?: boolean;
  secretsHash?: string;
  ingestRescue?: number[];
  tenants?: PublishedTenants;
}

/** Synthesizes a pipeline's children in-process (no files written). */
export function synthPipeline(pipeline: GravixPipeline, options: SynthOptions = {}): Manifest[] {
  const app = new App();
  const chart = new GravixPipelineChart(app, pipeline.metadata.name, {
    pipeline,
    generate: options.generate ?? randomSecret,
    prometheusOperator: options.prometheusOperator ?? true,
    ...(options.secretsHash ? { secretsHash: options.secretsHash } : {}),
    ...(options.ingestRescue ? { ingestRescue: options.ingestRescue } : {}),
    ...(options.tenants ? { tenants: options.tenants } : {}),
  });
  return chart.toJson() as Manifest[];
}

/** Only the generated Secrets (create-only) of a pipeline: the operator creates them before the rest. */
export function synthGeneratedSecrets(pipeline: GravixPipeline, generate: SecretGenerator): Manifest[] {
  const app = new App();
  const chart = new Chart(app, pipeline.metadata.name, {
    namespace: pipeline.metadata.namespace,
    disableResourceNameHashes: true,
  });
  new GeneratedSecrets(chart, 'secrets', { pipeline, data: buildGeneratedSecretData(pipeline, generate) });
  return chart.toJson() as Manifest[];
}
