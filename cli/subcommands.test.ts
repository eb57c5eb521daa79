import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subcommands } from './subcommands.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The non-test TypeScript sources of a directory of the repository (not its subdirectories). */
function sources(dir: string): string[] {
  return readdirSync(join(repo, dir))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(dir, f));
}

/**
 * Where each command's configuration keys are read: the directory of the module it loads, the object store's
 * keys (every worker takes them), the server keys the clients of the query server (alert, keys) explain, and the
 * workers `gravix dev` embeds. A name the help prints must be one of these, or a user sets a variable nothing reads
 * (`gravix rollup --help` named GRAVIX_ROLLUP_INTERVAL_MS, which only `gravix dev` reads).
 */
const configSources = (command: string): string[] => {
  const loaded = /import\('\.\.\/([^']+)\/[^/']+\.js'\)/.exec(subcommands[command]!.load.toString());
  const shared = [...sources('workers/adapters/object-store')];
  if (command === 'alert' || command === 'keys') shared.push('workers/query/config.ts');
  if (command === 'dev')
    shared.push('workers/ingest/config.ts', 'workers/query/config.ts', 'workers/alert/config.ts');
  return [...sources(loaded![1]!), ...shared];
};

const namesIn = (text: string) => [...new Set(text.match(/GRAVIX_[A-Z0-9_]*[A-Z0-9]/g) ?? [])];

describe('gravix <command> --help', () => {
  it.each(Object.keys(subcommands))('%s names only configuration keys its worker reads', (command) => {
    const read = configSources(command)
      .map((file) => readFileSync(join(repo, file), 'utf8'))
      .join('\n');
    const unread = namesIn(subcommands[command]!.help).filter(
      // `GRAVIX_S3_*` and `GRAVIX_QUERY_TENANT_*` name a family of keys.
      (name) => !new RegExp(`\\b${name}`).test(read),
    );
    expect({ command, unread, readFrom: configSources(command).map((f) => relative('.', f)) }).toEqual({
      command,
      unread: [],
      readFrom: expect.any(Array),
    });
  });

  it('rollup names the interval key the rollup reads, in seconds', () => {
    expect(subcommands.rollup!.help).toContain('GRAVIX_ROLLUP_INTERVAL_SECONDS');
    expect(subcommands.rollup!.help).not.toContain('GRAVIX_ROLLUP_INTERVAL_MS');
  });
});
