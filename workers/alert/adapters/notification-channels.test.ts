import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNotificationChannels } from './notification-channels.js';

describe('loadNotificationChannels', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gravix-channels-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const load = (yaml: string, env: Record<string, string> = {}) => {
    const path = join(dir, 'channels.yaml');
    writeFileSync(path, yaml);
    try {
      loadNotificationChannels(path, env);
    } catch (error) {
      return {
        code: (error as { code?: string }).code,
        message: (error as Error).message.replace(dir, '<dir>'),
      };
    }
    return undefined;
  };

  it('says where a URL must come from when one is written in place, instead of "Invalid input"', () => {
    expect(load('channels:\n  - name: am\n    type: alertmanager\n    url: http://am:9093\n')).toEqual({
      code: 'INVALID_CONFIG',
      message:
        'invalid alert channels (<dir>/channels.yaml) configuration: channels.0.url: must be { env: VARIABLE_NAME } or { file: /path }, where the value is kept (never the value itself)',
    });
  });

  it('names every unusable channel at once: an unset variable, a URL that is not http(s), an unsigned webhook, a name used twice', () => {
    const yaml = [
      'channels:',
      '  - { name: team-slack, type: slack, url: { env: SLACK_WEBHOOK_URL } }',
      '  - { name: pager, type: webhook, url: { env: HOOK_URL } }',
      '  - { name: team-slack, type: alertmanager, url: { env: AM_URL } }',
      '',
    ].join('\n');
    expect(load(yaml, { HOOK_URL: 'ftp://hook.example/x', AM_URL: 'http://am:9093' })?.message).toBe(
      "invalid alert channels (<dir>/channels.yaml) configuration: channels.0.url: environment variable SLACK_WEBHOOK_URL is not set; channels.1.url: must be an http(s) URL; channels.1.secret: webhooks are signed; set a secret; channels: name 'team-slack' is used twice",
    );
  });
});
