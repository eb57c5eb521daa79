/** The gravix CLI's subcommands; each module exports `run(argv)` and is loaded only when chosen. */
export interface Subcommand {
  summary: string;
  load(): Promise<{ run(argv: string[]): Promise<number> }>;
}

export const subcommands: Record<string, Subcommand> = {
  dev: {
    summary: 'embedded pipeline: ingest + rollup + query + dashboard',
    load: () => import('../workers/dev/main.js'),
  },
  ingest: {
    summary: 'ingestion worker (HTTP API + write-ahead log)',
    load: () => import('../workers/ingest/main.js'),
  },
  rollup: {
    summary: 'rollup worker (raw segments -> minute metrics)',
    load: () => import('../workers/rollup/main.js'),
  },
  'storage-setup': {
    summary: 'create the bucket and least-privilege MinIO users (the pipeline storage Job)',
    load: () => import('../workers/storage-setup/main.js'),
  },
  query: { summary: 'query API and dashboard server', load: () => import('../workers/query/main.js') },
  operator: { summary: 'Kubernetes operator for GravixPipeline', load: () => import('../operator/main.js') },
  loadgen: {
    summary: 'realistic synthetic traffic generator',
    load: () => import('../workers/loadgen/main.js'),
  },
  synth: {
    summary: 'print the manifests for a GravixPipeline (-f pipeline.yaml)',
    load: () => import('../cdk8s/main.js'),
  },
};
