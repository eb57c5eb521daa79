import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { childMetadata, childName, COMPONENT_LABEL, PIPELINE_LABEL } from './naming.js';
import { HTTP_PORT, METRICS_PORT } from './pipeline-config.js';

/**
 * Default-deny ingress for the pipeline's pods, then: its own pods may talk to each other (workers -> Trino,
 * MinIO, Cube), and the HTTP ports of ingest, query and rollup (/metrics only) and the metrics port are reachable from anywhere
 * (ingress controller, scrapers).
 */
export class PipelineNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: { pipeline: GravixPipeline }) {
    super(scope, id);
    const { pipeline } = props;
    const ownPods = { matchLabels: { [PIPELINE_LABEL]: pipeline.metadata.name } };
    const meta = (suffix: string) => childMetadata(pipeline, 'network-policy', childName(pipeline, suffix));
    new KubeNetworkPolicy(this, 'deny', {
      metadata: meta('default-deny'),
      spec: { podSelector: ownPods, policyTypes: ['Ingress'] },
    });
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
          matchExpressions: [{ key: COMPONENT_LABEL, operator: 'In', values: ['ingest', 'query', 'rollup'] }],
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
