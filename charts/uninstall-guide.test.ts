import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { repoPath } from '../testbin/harness/testbin-paths.js';

/** The shell block of docs/install-on-kubernetes.md's "Upgrade and uninstall" that runs `helm uninstall`. */
function uninstallCommands(): string {
  const guide = readFileSync(repoPath('docs', 'install-on-kubernetes.md'), 'utf8');
  const section = guide.slice(guide.indexOf('## Upgrade and uninstall'));
  const block = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].find((m) => m[1]!.includes('helm uninstall'));
  if (!block) throw new Error('no helm uninstall block in "Upgrade and uninstall"');
  return block[1]!;
}

/**
 * Helm never deletes what it installed from a chart's crds/ folder, so the guide's uninstall must name each CRD the
 * operator chart ships. Probe 5 found it deleting only gravixpipelines, leaving GravixTenant and GravixAlertRule.
 */
describe('docs/install-on-kubernetes.md, uninstall', () => {
  it('deletes every CRD the gravix-operator chart installs', () => {
    const dir = repoPath('charts', 'gravix-operator', 'crds');
    const shipped = readdirSync(dir)
      .map(
        (f) => (parse(readFileSync(`${dir}/${f}`, 'utf8')) as { metadata: { name: string } }).metadata.name,
      )
      .sort();
    expect(shipped).toEqual([
      'gravixalertrules.gravix.dev',
      'gravixpipelines.gravix.dev',
      'gravixtenants.gravix.dev',
    ]);
    const deleted = uninstallCommands()
      .split('\n')
      .filter((line) => line.startsWith('kubectl delete crd '))
      .flatMap((line) => line.slice('kubectl delete crd '.length).split('#')[0]!.trim().split(/\s+/))
      .sort();
    expect(deleted).toEqual(shipped);
  });
});
