import { makePipeline } from '../crds/testing/pipeline-fixture.js';
import { InvalidPipelineError } from '../crds/gravix-pipeline.js';
import { buildTrinoConfig, buildTrinoMemory } from './trino-config.js';

describe('Trino memory from one setting', () => {
  it('derives the heap (70%), query memory (half the heap) and headroom (30%) from the container memory', () => {
    expect(buildTrinoMemory('2Gi')).toEqual({ heapMiB: 1433, queryPerNodeMiB: 716, headroomMiB: 429 });
    expect(buildTrinoMemory('1536Mi')).toEqual({ heapMiB: 1075, queryPerNodeMiB: 537, headroomMiB: 322 });
  });

  it('writes them per role, with the cluster limit counting the nodes that run queries', () => {
    const config = buildTrinoConfig(
      makePipeline({
        trino: {
          workers: 2,
          coordinatorResources: { cpu: '1', memory: '4Gi' },
          workerResources: { cpu: '1', memory: '2Gi' },
        },
      }),
    );
    expect(config['coordinator-jvm.config']).toContain('-Xmx2867m\n-Xms2867m\n');
    expect(config['worker-jvm.config']).toContain('-Xmx1433m\n-Xms1433m\n');
    expect(config['worker.properties']).toContain('query.max-memory-per-node=716MB\n');
    expect(config['worker.properties']).toContain('memory.heap-headroom-per-node=429MB\n');
    expect(config['coordinator.properties']).toContain('query.max-memory=1432MB\n');
  });

  it("keeps the coordinator's finished statements for a minute, not Trino's 15 (ADR 0147)", () => {
    const config = buildTrinoConfig(makePipeline({ trino: { workers: 1 } }));
    expect(config['coordinator.properties']).toContain('query.min-expire-age=1m\n');
    expect(config['worker.properties']).not.toContain('query.min-expire-age');
  });

  it('refuses less than 1Gi, naming the field and the rule', () => {
    expect(() => makePipeline({ trino: { workerResources: { cpu: '1', memory: '512Mi' } } })).toThrow(
      new InvalidPipelineError([
        'spec.trino.workerResources.memory: trino.workerResources.memory must be at least 1Gi: the JVM heap and query memory are derived from it (got "512Mi")',
      ]),
    );
  });
});
