import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadAlertInputs } from './alert-inputs.js';

describe('loadAlertInputs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gravix-alert-inputs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const rule = (name: string, channels: string[]) =>
    [
      `  - name: ${name}`,
      '    kind: silence',
      '    selector: { tenant: dev, each: service }',
      '    silence: { minutes: 10 }',
      `    channels: [${channels.join(', ')}]`,
    ].join('\n');
  const load = (rules: string, channels?: string) => {
    writeFileSync(join(dir, 'rules.yaml'), `rules:\n${rules}\n`);
    if (channels) writeFileSync(join(dir, 'channels.yaml'), channels);
    return () =>
      loadAlertInputs(
        {
          GRAVIX_ALERT_RULES_FILE: join(dir, 'rules.yaml'),
          ...(channels ? { GRAVIX_ALERT_CHANNELS_FILE: join(dir, 'channels.yaml') } : {}),
          GRAVIX_ALERT_CHANNELS_REREAD_MS: 10_000,
        },
        pino({ level: 'silent' }),
        { HOOK_URL: 'http://127.0.0.1:9/hook' },
      );
  };
  const slack = 'channels:\n  - { name: team-slack, type: slack, url: { env: HOOK_URL } }\n';

  it('reads the rules and the channels they name', () => {
    const inputs = load(rule('quiet', ['team-slack']), slack)();
    expect(inputs.rules.map((r) => r.name)).toEqual(['quiet']);
    expect(inputs.channels.current().map((c) => c.name)).toEqual(['team-slack']);
  });

  it('refuses, at load, every rule of the file that names a channel the channels file lacks', () => {
    expect(load(`${rule('quiet', ['team-slak'])}\n${rule('loud', ['team-slack', 'pager'])}`, slack)).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: `invalid alert configuration: GRAVIX_ALERT_RULES_FILE: rule 'quiet' names channel 'team-slak', which ${join(dir, 'channels.yaml')} does not define; GRAVIX_ALERT_RULES_FILE: rule 'loud' names channel 'pager', which ${join(dir, 'channels.yaml')} does not define`,
      }),
    );
  });

  it('says when no channels file is set at all', () => {
    expect(load(rule('quiet', ['team-slack']))).toThrow(
      "invalid alert configuration: GRAVIX_ALERT_RULES_FILE: rule 'quiet' names channel 'team-slack', which no GRAVIX_ALERT_CHANNELS_FILE defines",
    );
  });
});
