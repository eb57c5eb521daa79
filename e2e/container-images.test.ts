import { readFileSync } from 'node:fs';
import { repoPath } from '../testbin/harness/testbin-paths.js';

/**
 * The Dockerfiles cannot be built here (no Docker daemon); CI builds them in the kind e2e job. These checks hold
 * them to the rules the images promise: multi-stage, pinned bases, non-root uid 10001, distroless runtime.
 */

interface Stage {
  from: string;
  alias?: string;
  instructions: string[];
}

function instructionLines(text: string): string[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** `FROM image [AS alias]` */
function parseFrom(words: string[]): Stage {
  const [from = '', as, alias] = words;
  return { from, ...(as?.toUpperCase() === 'AS' && alias ? { alias } : {}), instructions: [] };
}

function parseStages(text: string): { args: Map<string, string>; stages: Stage[] } {
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of instructionLines(text)) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    if (keyword === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = rest.join(' ').split('=');
      args.set(name, value);
    } else if (keyword === 'FROM') stages.push(parseFrom(rest));
    else stages.at(-1)?.instructions.push(line);
  }
  return { args, stages };
}

const resolveImage = (from: string, args: Map<string, string>) =>
  from.replace(/^\$\{(\w+)\}$/, (_m, name: string) => args.get(name) ?? '');

describe.each([
  ['Dockerfile.workers', '["--help"]'],
  ['Dockerfile.operator', '["operator"]'],
])('%s', (file, cmd) => {
  const { args, stages } = parseStages(readFileSync(repoPath(file), 'utf8'));
  const runtime = stages.at(-1)!;

  it('builds in separate stages and ships only the last one', () => {
    expect(stages.map((s) => s.alias)).toEqual(['build', 'deps', undefined]);
    const copiedFrom = runtime.instructions.flatMap((i) => /--from=(\w+)/.exec(i)?.[1] ?? []);
    expect(new Set(copiedFrom)).toEqual(new Set(['build', 'deps']));
  });

  it('pins every base image by tag, never latest', () => {
    for (const stage of stages) {
      const image = resolveImage(stage.from, args);
      expect(image).toMatch(/^[\w./-]+:[\w.-]+(@sha256:[0-9a-f]{64})?$/);
      expect(image).not.toMatch(/:latest\b/);
    }
  });

  it('runs on the distroless Node 20 image as uid 10001', () => {
    expect(resolveImage(runtime.from, args)).toBe('gcr.io/distroless/nodejs20-debian12:nonroot');
    expect(runtime.instructions).toContain('USER 10001:10001');
  });

  it('installs only production dependencies into the runtime image', () => {
    const deps = stages.find((s) => s.instructions.some((i) => i.includes('npm ci --omit=dev')));
    expect(deps).toBeDefined();
    expect(runtime.instructions.filter((i) => i.startsWith('COPY')).join('\n')).toContain(
      '/src/node_modules',
    );
  });

  it('starts the gravix CLI with the right default subcommand', () => {
    expect(runtime.instructions).toContain('ENTRYPOINT ["/nodejs/bin/node", "/app/dist/cli/gravix.js"]');
    expect(runtime.instructions).toContain(`CMD ${cmd}`);
  });
});

describe('Dockerfile.workers', () => {
  const { stages } = parseStages(readFileSync(repoPath('Dockerfile.workers'), 'utf8'));
  const runtime = stages.at(-1)!;

  it('ships the built web dashboard and points the query server at it', () => {
    expect(stages[0]!.instructions).toContain('RUN npm run build && node dashboards/web/build.mjs');
    expect(runtime.instructions).toContain(
      'COPY --from=build /src/dashboards/web/dist ./dashboards/web/dist',
    );
    expect(runtime.instructions.join('\n')).toMatch(/GRAVIX_DASHBOARD_DIR=\/app\/dashboards\/web\/dist/);
  });

  it('ships the API description where the compiled servers look for it (/app/docs/openapi)', () => {
    expect(runtime.instructions).toContain('COPY --from=build /src/docs/openapi ./docs/openapi');
  });
});

describe('.dockerignore', () => {
  const ignored = readFileSync(repoPath('.dockerignore'), 'utf8').split('\n');

  it('keeps local builds, dependencies and secrets-prone data out of the build context', () => {
    expect(ignored).toEqual(expect.arrayContaining(['.git', '**/node_modules', 'dist', '.gravix-data']));
  });

  it('keeps docs out of the context but the API description the servers serve', () => {
    expect(ignored.indexOf('!docs/openapi')).toBeGreaterThan(ignored.indexOf('docs'));
    expect(ignored.indexOf('docs')).toBeGreaterThanOrEqual(0);
  });

  it('keeps testbin in the context, because the build compiles operator/testing which imports it', () => {
    expect(ignored).not.toContain('testbin');
  });
});
