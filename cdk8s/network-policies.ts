import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy, type NetworkPolicyEgressRule } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { childMetadata, childName, COMPONENT_LABEL, PIPELINE_LABEL, type Component } from './naming.js';
import { HTTP_PORT, METRICS_PORT, MINIO_PORT } from './pipeline-config.js';

type EgressTarget = 'store' | 'trino' | 'oidc' | 'anywhere';

/**
 * The one table of where each component's pods may connect besides DNS (every pod resolves names). Only the alert
 * worker reaches the apiserver (its Lease and rules) and user-chosen notification URLs (Slack, webhooks,
 * Alertmanager), addresses no selector can name: it may connect anywhere. The other pods mount no service account
 * token. MinIO connects nowhere.
 */
export const EGRESS: Partial<Record<Component, EgressTarget[]>> = {
  ingest: ['store'],
  'ingest-rescue': ['store'],
  rollup: ['store'],
  'storage-setup': ['store'],
  // The OpenID provider (discovery, token endpoint) when sign-in is configured.
  query: ['store', 'trino', 'oidc'],
  'trino-coordinator': ['store', 'trino'],
  'trino-worker': ['store', 'trino'],
  minio: [],
  alert: ['anywhere'],
};

const tcp = (port: number) => ({ protocol: 'TCP', port: IntOrString.fromNumber(port) });

/** Any address on a URL's port (443 or 80 when it has none): for places outside the cluster no selector names. */
const urlPort = (url: URL) => (url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443);

function egressRules(pipeline: GravixPipeline, target: EgressTarget): NetworkPolicyEgressRule[] {
  if (target !== 'oidc') return [egressRule(pipeline, target)];
  const { oidc } = pipeline.spec.query;
  return oidc ? [{ ports: [tcp(urlPort(new URL(oidc.issuer)))] }] : [];
}

function egressRule(
  pipeline: GravixPipeline,
  target: Exclude<EgressTarget, 'oidc'>,
): NetworkPolicyEgressRule {
  const pipelinePods = (components: Component[]) => ({
    podSelector: {
      matchLabels: { [PIPELINE_LABEL]: pipeline.metadata.name },
      matchExpressions: [{ key: COMPONENT_LABEL, operator: 'In', values: components }],
    },
  });
  // An empty rule allows every destination and port.
  if (target === 'anywhere') return {};
  if (target === 'trino')
    return { to: [pipelinePods(['trino-coordinator', 'trino-worker'])], ports: [tcp(HTTP_PORT)] };
  const { storage } = pipeline.spec;
  if (storage.mode === 'minio') return { to: [pipelinePods(['minio'])], ports: [tcp(MINIO_PORT)] };
  // An external store lives at addresses no selector names: any destination, on the endpoint's port.
  const endpoint = storage.external?.endpoint ? new URL(storage.external.endpoint) : undefined;
  return { ports: [tcp(endpoint ? urlPort(endpoint) : 443)] };
}

/**
 * Default-deny ingress and egress for the pipeline's pods, then: its own pods may talk to each other (workers ->
 * Trino, MinIO), the HTTP ports of ingest, query, rollup and alert (the last two: /metrics only) and the metrics port are reachable from
 * anywhere (ingress controller, scrapers), and each component may connect only where EGRESS says.
 */
export class PipelineNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: { pipeline: GravixPipeline }) {
    super(scope, id);
    const { pipeline } = props;
    const ownPods = { matchLabels: { [PIPELINE_LABEL]: pipeline.metadata.name } };
    const meta = (suffix: string) => childMetadata(pipeline, 'network-policy', childName(pipeline, suffix));
    new KubeNetworkPolicy(this, 'deny', {
      metadata: meta('default-deny'),
      spec: { podSelector: ownPods, policyTypes: ['Ingress', 'Egress'] },
    });
    for (const [component, targets] of Object.entries(EGRESS)) {
      if (component === 'alert' && !pipeline.spec.alerts.enabled) continue;
      const dns = {
        ports: [53].flatMap((port) =>
          ['UDP', 'TCP'].map((protocol) => ({ protocol, port: IntOrString.fromNumber(port) })),
        ),
      };
      new KubeNetworkPolicy(this, `egress-${component}`, {
        metadata: meta(`egress-${component}`),
        spec: {
          podSelector: {
            matchLabels: { [PIPELINE_LABEL]: pipeline.metadata.name, [COMPONENT_LABEL]: component },
          },
          policyTypes: ['Egress'],
          egress: [dns, ...targets.flatMap((t) => egressRules(pipeline, t))],
        },
      });
    }
    new KubeNetworkPolicy(this, 'internal', {
      metadata: meta('allow-internal'),
      spec: {
        podSelector: ownPods,
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: ownPods }] }],
      },
    });
    new KubeNetworkPolicy(this, 'http', {
      metadata: meta('allow-http'),
      spec: {
        podSelector: {
          matchLabels: { [PIPELINE_LABEL]: pipeline.metadata.name },
          matchExpressions: [
            { key: COMPONENT_LABEL, operator: 'In', values: ['ingest', 'query', 'rollup', 'alert'] },
          ],
        },
        policyTypes: ['Ingress'],
        ingress: [
          {
            ports: [HTTP_PORT, METRICS_PORT].map((port) => ({
              protocol: 'TCP',
              port: IntOrString.fromNumber(port),
            })),
          },
        ],
      },
    });
  }
}
