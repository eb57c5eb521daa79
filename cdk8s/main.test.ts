import { jest } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { run, SynthUsageError } from './main.js';

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
});
