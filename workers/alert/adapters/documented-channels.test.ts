import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAlertRulesFile } from '../../../crds/gravix-alert-rule.js';
import { repoPath } from '../../../testbin/harness/testbin-paths.js';
import { loadNotificationChannels } from './notification-channels.js';

/** docs/alerts.md, "Try it in `gravix dev`": its rules file, its channels file and the command that runs them. */
function tryItSection() {
  const doc = readFileSync(repoPath('docs', 'alerts.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Try it in `gravix dev`'), doc.indexOf('## Rules'));
  const [rules, channels] = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const command = /`(GRAVIX_ALERT_CHANNELS_FILE=[^`]*gravix dev[^`]*)`/.exec(section)?.[1];
  if (!rules || !channels || !command) throw new Error('the section lost its rules, channels or command');
  return { rules, channels, command };
}

/**
 * A newcomer copies the two files and runs the command as written. Every channel must resolve at start (the load
 * is strict), so each variable the channels file names must be set by the command; the files it names are the
 * reader's to create (the text says so). Probe 5 found ALERTMANAGER_URL missing from the command: INVALID_CONFIG.
 */
describe('docs/alerts.md, "Try it in gravix dev"', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gravix-documented-channels-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads its channels with the variables its command sets, and its rules name only those channels', () => {
    const { rules, channels, command } = tryItSection();
    const env = Object.fromEntries(
      [...command.matchAll(/\b([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((m) => [m[1]!, m[2]!.replace('...', 'x')]),
    );
    // The files the example names, created as the text asks (a URL and an HMAC key).
    const files = channels.replace(/\{ file: (\S+) \}/g, (_, path: string) => {
      const local = join(dir, path.replace(/\W/g, '_'));
      writeFileSync(local, path.endsWith('url') ? 'http://127.0.0.1:9/hook\n' : 'key\n');
      return `{ file: ${local} }`;
    });
    writeFileSync(join(dir, 'channels.yaml'), files);
    const loaded = loadNotificationChannels(join(dir, 'channels.yaml'), env);
    expect(loaded.map((c) => c.name)).toEqual(['team-slack', 'pager-hook', 'am']);
    const named = parseAlertRulesFile(rules, 'rules.yaml').flatMap((r) => r.channels);
    expect(named.filter((c) => !loaded.some((l) => l.name === c))).toEqual([]);
  });
});
