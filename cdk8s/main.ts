import { readFile } from 'node:fs/promises';
import { parseAllDocuments, stringify } from 'yaml';
import { parsePipeline } from '../crds/gravix-pipeline.js';
import { synthPipeline, type Manifest } from './pipeline-chart.js';
import { isTenantDocument, orphanedTenants, parseFileTenants, publishedTenants } from './synth-tenants.js';

export class SynthUsageError extends Error {
  readonly code = 'SYNTH_USAGE';
}

interface SynthArgs {
  file: string;
  prometheusOperator: boolean;
}

function parseArgs(argv: string[]): SynthArgs {
  let file: string | undefined;
  let prometheusOperator = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-f' || arg === '--filename') file = argv[++i];
    else if (arg === '--without-prometheus-operator') prometheusOperator = false;
    else throw new SynthUsageError(`unknown option '${arg}' (usage: gravix synth -f pipeline.yaml)`);
  }
  if (!file) throw new SynthUsageError('option -f is required (usage: gravix synth -f pipeline.yaml)');
  return { file, prometheusOperator };
}

/** Renders manifests as a multi-document YAML stream, in the order cdk8s emitted them. */
export function renderManifests(manifests: Manifest[]): string {
  return manifests.map((m) => `---\n${stringify(m)}`).join('');
}

/**
 * `gravix synth -f pipeline.yaml`: prints every child of each GravixPipeline in the file, for GitOps users, with
 * the file's GravixTenant objects that name a pipeline in its tenants ConfigMap (as the operator renders them).
 * Generated Secrets get fresh random values on every run; commit them once (or seal them) and keep them.
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const values = parseAllDocuments(await readFile(args.file, 'utf8')).map((doc) => doc.toJS() as unknown);
  const tenants = parseFileTenants(values.filter(isTenantDocument));
  const pipelines = values.filter((v) => !isTenantDocument(v)).map((v) => parsePipeline(v));
  for (const orphan of orphanedTenants(tenants, pipelines))
    process.stderr.write(`gravix synth: ${orphan} is not in the file; that tenant is left out\n`);
  const out = pipelines.map((pipeline) =>
    renderManifests(
      synthPipeline(pipeline, {
        prometheusOperator: args.prometheusOperator,
        tenants: publishedTenants(tenants, pipeline),
      }),
    ),
  );
  process.stdout.write(out.join(''));
  return 0;
}
