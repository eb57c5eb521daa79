import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli } from '../../testbin/harness/built-cli.js';
import { freePort } from '../../testbin/harness/free-port.js';

/** `gravix dev --alerts` to its end (or to the timeout, which kills it: exit code null). */
async function devWithAlerts(dir: string, env: Record<string, string>) {
  const cli = await builtCli();
  const [ingestPort, queryPort] = [await freePort(), await freePort()];
  const started = Date.now();
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, 'dev', '--alerts', join(dir, 'rules.yaml')],
      {
        env: {
          ...process.env,
          GRAVIX_DATA_DIR: join(dir, 'data'),
          GRAVIX_INGEST_PORT: String(ingestPort),
          GRAVIX_QUERY_PORT: String(queryPort),
          ...env,
        },
        // Long enough for a start at load 50 to reach "ready"; the old code never exited at all.
        timeout: 90_000,
      },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr, ms: Date.now() - started }),
    );
  });
}

const rules = [
  'rules:',
  '  - name: checkout-errors',
  '    kind: threshold',
  '    selector: { tenant: dev, service: checkout, each: endpoint }',
  '    threshold: { metric: error_rate, value: 5, window: 5m, for: 1m, minRequests: 20 }',
  '    channels: [team-slack]',
  '',
].join('\n');

describe('gravix dev --alerts with files it cannot use (docs/alerts.md)', () => {
  beforeAll(() => builtCli(), 600_000);

  it('exits with the channels configuration error before it serves, naming every bad channel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-dev-alert-files-'));
    writeFileSync(join(dir, 'rules.yaml'), rules);
    writeFileSync(
      join(dir, 'channels.yaml'),
      'channels:\n  - { name: team-slack, type: slack, url: { env: P5_UNSET_SLACK_URL } }\n',
    );
    const run = await devWithAlerts(dir, { GRAVIX_ALERT_CHANNELS_FILE: join(dir, 'channels.yaml') });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stderr.trim().split('\n').at(-1)!)).toEqual({
      error: {
        code: 'INVALID_CONFIG',
        message: `invalid alert channels (${join(dir, 'channels.yaml')}) configuration: channels.0.url: environment variable P5_UNSET_SLACK_URL is not set`,
      },
    });
    // Nothing served: before the fix it said "gravix dev ready", then hung with both servers up and no alerts.
    expect(run.stdout).not.toContain('gravix dev ready');
  }, 120_000);

  it('exits with a configuration error naming a rules file it cannot read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-dev-alert-files-'));
    const run = await devWithAlerts(dir, {});
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stderr.trim().split('\n').at(-1)!)).toEqual({
      error: {
        code: 'INVALID_CONFIG',
        message: `invalid alert configuration: GRAVIX_ALERT_RULES_FILE: cannot read ${join(dir, 'rules.yaml')}: ENOENT`,
      },
    });
    expect(run.stdout).not.toContain('gravix dev ready');
  }, 120_000);
});
