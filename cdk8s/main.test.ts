import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { run, SynthUsageError } from './main.js';
import { SynthTenantError } from './synth-tenants.js';

/** Runs synth on `text`, returning what it printed on stdout and stderr. */
async function synthOf(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'gx-synth-')), 'pipeline.yaml');
  writeFileSync(file, text);
  const out: string[] = [];
  const err: string[] = [];
  const write = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => out.push(String(chunk)) > 0);
  const warn = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  try {
    expect(await run(['-f', file])).toBe(0);
  } finally {
    write.mockRestore();
    warn.mockRestore();
  }
  return { stdout: out.join(''), stderr: err.join('') };
}

const tenantDoc = (name: string, pipeline: string, extra = '') => `---
apiVersion: gravix.dev/v1alpha1
kind: GravixTenant
metadata: { name: ${name}, namespace: default }
spec:
  pipelineRef: { name: ${pipeline} }${extra}
`;

const fixture = new URL('./testing/pipeline-full.yaml', import.meta.url).pathname;

describe('gravix synth', () => {
  it('prints every child of the pipeline file as a YAML stream', async () => {
    const chunks: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      expect(await run(['-f', fixture])).toBe(0);
    } finally {
      write.mockRestore();
    }
    const docs = parseAllDocuments(chunks.join('')).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(
      expect.arrayContaining([
        'StatefulSet/shop-ingest',
        'Ingress/shop',
        'ServiceMonitor/shop-monitoring',
        'StatefulSet/shop-trino-worker',
      ]),
    );
  });

  it('refuses to run without -f and says how to call it', async () => {
    await expect(run([])).rejects.toThrow(
      new SynthUsageError('option -f is required (usage: gravix synth -f pipeline.yaml)'),
    );
  });

  it("renders the file's GravixTenant objects that name the pipeline into its tenants ConfigMap", async () => {
    const pipeline = readFileSync(fixture, 'utf8');
    const { metadata } = parse(pipeline) as { metadata: { name: string; namespace: string } };
    expect(metadata.namespace).toBe('default');
    const quotas = '\n  displayName: ACME\n  quotas: { eventsPerSecond: 2000, services: 50 }';
    const { stdout, stderr } = await synthOf(
      `${pipeline}\n${tenantDoc('acme', metadata.name, quotas)}${tenantDoc('lost', 'elsewhere')}`,
    );
    const docs = parseAllDocuments(stdout).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string }; data?: Record<string, string> },
    );
    const config = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === `${metadata.name}-tenants`);
    expect(parse(config!.data!['tenants.yaml']!)).toEqual({
      tenants: [
        {
          tenant: 'acme',
          displayName: 'ACME',
          quotas: { eventsPerSecond: 2000, services: 50 },
          roles: { viewer: [], operator: [], admin: [] },
        },
      ],
    });
    expect(docs.some((d) => d.kind === 'GravixTenant')).toBe(false);
    expect(stderr).toBe(
      'gravix synth: default/lost -> GravixPipeline elsewhere is not in the file; that tenant is left out\n',
    );
  });

  it('refuses an invalid GravixTenant naming the object and its field', async () => {
    const pipeline = readFileSync(fixture, 'utf8');
    const file = join(mkdtempSync(join(tmpdir(), 'gx-synth-')), 'bad.yaml');
    writeFileSync(file, `${pipeline}\n${tenantDoc('acme', 'shop', '\n  quotas: { eventsPerSecond: -1 }')}`);
    const failure = run(['-f', file]);
    await expect(failure).rejects.toThrow(SynthTenantError);
    await expect(failure).rejects.toThrow(
      /^GravixTenant acme: invalid tenant: spec\.quotas\.eventsPerSecond: /,
    );
  });
});
