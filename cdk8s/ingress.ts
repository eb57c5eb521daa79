import { Construct } from 'constructs';
import { KubeIngress, type HttpIngressPath } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { childMetadata, childName } from './naming.js';
import { HTTP_PORT } from './pipeline-config.js';

function route(path: string, service: string): HttpIngressPath {
  return {
    path,
    pathType: 'Prefix',
    backend: { service: { name: service, port: { number: HTTP_PORT } } },
  };
}

/** One host: writes (/api/v1/facts, /api/v1/events) go to ingestion, everything else to query + dashboard. */
export class PipelineIngress extends Construct {
  constructor(scope: Construct, id: string, props: { pipeline: GravixPipeline }) {
    super(scope, id);
    const { pipeline } = props;
    const { host, className, tlsSecretName } = pipeline.spec.ingress;
    const ingest = childName(pipeline, 'ingest');
    new KubeIngress(this, 'ingress', {
      metadata: childMetadata(pipeline, 'ingress', pipeline.metadata.name),
      spec: {
        ...(className ? { ingressClassName: className } : {}),
        ...(tlsSecretName ? { tls: [{ hosts: [host!], secretName: tlsSecretName }] } : {}),
        rules: [
          {
            host: host!,
            http: {
              paths: [
                route('/api/v1/facts', ingest),
                route('/api/v1/events', ingest),
                route('/', childName(pipeline, 'query')),
              ],
            },
          },
        ],
      },
    });
  }
}
