import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parsePipeline } from '../crds/gravix-pipeline.js';
import { parseBatchBody } from '../workers/ingest/domain/parse-batch-body.js';
import { parseRequestFact } from '../workers/ingest/domain/parse-request-fact.js';
import { RouteBudget } from '../workers/ingest/domain/route-budget.js';
import { installCrd } from '../operator/testing/kube-test-env.js';
import { ObjectClient, type AnyObject as KubeObject } from '../operator/testing/object-client.js';
import { startKubeApiserver, type KubeApiserver } from '../testbin/harness/kube-apiserver.js';
import { runTool } from '../testbin/harness/run-tool.js';
import { repoPath, requireShellcheck } from '../testbin/harness/testbin-paths.js';

/**
 * Docker and kind are not available where the test suite runs, so kind-e2e.sh itself runs only in GitHub
 * Actions (.github/workflows/ci.yaml). These tests check what can be checked without them: the script's syntax,
 * the facts it sends, the sample pipeline against the real CRD, and that the pieces agree with each other.
 */

const script = repoPath('e2e', 'kind-e2e.sh');
const scriptText = readFileSync(script, 'utf8');
const samplePipeline = parse(readFileSync(repoPath('e2e', 'sample-pipeline.yaml'), 'utf8')) as KubeObject & {
  spec: { version: string; ingress: { host: string } };
};

/** Runs one function of kind-e2e.sh in isolation (the script only calls main when executed). */
function runScriptFunction(fn: string, args: string[], vars: Record<string, string>) {
  const assignments = Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const body = `set -euo pipefail; source <(sed -n '/^${fn}()/,/^}/p' "$1"); ${assignments.join('; ')}; ${fn} ${args.join(' ')}`;
  return runTool('bash', ['-c', body, 'bash', script]);
}

describe('the kind end-to-end script (offline checks)', () => {
  it('is valid bash', async () => {
    const result = await runTool('bash', ['-n', script]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('passes shellcheck, as do the chart sync scripts', async () => {
    const scripts = [script, repoPath('charts', 'sync-crds.sh'), repoPath('charts', 'sync-monitoring.sh')];
    const result = await runTool(requireShellcheck(), scripts);
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('sends request facts the ingestion parser accepts, 10 of them 5xx', async () => {
    const { stdout, exitCode } = await runScriptFunction('request_facts', ['500'], {
      RUN_ID: '42',
      service_name: 'e2e-checkout',
    });
    expect(exitCode).toBe(0);
    const batch = parseBatchBody(stdout, true, 10_000, 32);
    expect(batch.lineErrors).toEqual([]);
    const ctx = {
      tenant: 'default',
      window: { now: Date.now(), maxPastMs: 7 * 86_400_000, maxFutureMs: 3_600_000 },
      routes: new RouteBudget(500),
    };
    const results = batch.items.map((item) => parseRequestFact(item.value, item.index, ctx));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const facts = results.flatMap((r) => (r.ok ? [r.value] : []));
    expect(facts).toHaveLength(500);
    expect(new Set(facts.map((f) => (f as { event_id?: string }).event_id ?? JSON.stringify(f))).size).toBe(
      500,
    );
    expect(stdout.match(/"status_code":503/g)).toHaveLength(10);
  });

  it('builds the image tag the sample pipeline runs and talks to the host the pipeline ingress serves', () => {
    expect(scriptText).toContain('tag="${IMAGE_TAG:-e2e}"');
    expect(samplePipeline.spec.version).toBe('e2e');
    expect(scriptText).toContain(`echo "\${GRAVIX_INGRESS_HOST:-${samplePipeline.spec.ingress.host}}"`);
  });

  it('sends an installation its own host: INGRESS_URL=https://gravix.example.com verify sets no other Host', async () => {
    const hostFor = async (vars: Record<string, string>) => {
      const { stdout, exitCode } = await runScriptFunction('ingress_host', [], vars);
      expect(exitCode).toBe(0);
      return stdout.trim();
    };
    // docs/install-on-kubernetes.md: "To check an installation you already have, run only the HTTP half".
    expect(await hostFor({ INGRESS_URL: 'https://gravix.example.com' })).toBe('');
    expect(
      await hostFor({ INGRESS_URL: 'http://10.213.0.1:30080', GRAVIX_INGRESS_HOST: 'demo.gravix.test' }),
    ).toBe('demo.gravix.test');
    expect(await hostFor({ GRAVIX_NAMESPACE: 'gravix' })).toBe(samplePipeline.spec.ingress.host);
  });

  it('sends to the host port kind-config.yaml maps to the ingress controller', () => {
    const kind = parse(readFileSync(repoPath('kind-config.yaml'), 'utf8')) as {
      nodes: { extraPortMappings: { containerPort: number; hostPort: number }[] }[];
    };
    const http = kind.nodes[0]!.extraPortMappings.find((m) => m.containerPort === 80)!;
    expect(scriptText).toContain(`ingress_url="${'$'}{INGRESS_URL:-http://127.0.0.1:${http.hostPort}}"`);
  });

  it('has a sample pipeline that gravix synth would accept', () => {
    expect(() => parsePipeline(samplePipeline)).not.toThrow();
  });
});

describe('the CI workflow', () => {
  const workflow = parse(readFileSync(repoPath('.github', 'workflows', 'ci.yaml'), 'utf8')) as {
    jobs: Record<string, { steps: { run?: string }[]; needs?: string }>;
  };
  const runs = (job: string) => workflow.jobs[job]!.steps.map((s) => s.run ?? '').join('\n');

  it('runs lint, the test suite and the kind end-to-end test', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['lint', 'test', 'e2e']);
    expect(runs('lint')).toContain('npm run lint');
    expect(runs('lint')).toContain('helm lint --strict charts/gravix-operator');
    expect(runs('test')).toContain('npm test');
    expect(runs('e2e')).toContain('e2e/kind-e2e.sh');
  });
});

describe('the sample pipeline on a real kube-apiserver', () => {
  let apiserver: KubeApiserver;
  let client: ObjectClient;

  beforeAll(async () => {
    apiserver = await startKubeApiserver();
    client = ObjectClient.forApiserver(apiserver);
    const crd = parse(
      readFileSync(repoPath('charts', 'gravix-operator', 'crds', 'gravix.dev_gravixpipelines.yaml'), 'utf8'),
    ) as KubeObject;
    await installCrd(client.client, crd);
    await client.createNamespace('gravix-e2e');
  });

  afterAll(async () => {
    await apiserver?.stop();
  });

  it('passes a server-side dry run against the CRD the chart installs', async () => {
    const created = (await client.create(samplePipeline, { dryRun: true })) as {
      spec: Record<string, unknown>;
    };
    expect(created.spec).toMatchObject({ version: 'e2e', networkPolicies: { enabled: true } });
  });
});
