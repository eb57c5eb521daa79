import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ChannelSource } from './channel-source.js';

describe('ChannelSource', () => {
  let dir: string;
  let clock: number;
  const file = (name: string) => join(dir, name);
  // Written as kubelet updates a mounted Secret: a new file renamed over the old one.
  const put = (name: string, text: string) => {
    writeFileSync(file(`.${name}.tmp`), text);
    renameSync(file(`.${name}.tmp`), file(name));
  };
  const source = (rereadMs = 5_000) =>
    new ChannelSource({
      path: file('channels.yaml'),
      env: {},
      rereadMs,
      log: pino({ level: 'silent' }),
      now: () => clock,
    });

  beforeEach(() => {
    clock = 1_000_000;
    dir = mkdtempSync(join(tmpdir(), 'gravix-channel-source-'));
    put('url', 'http://127.0.0.1:9/old\n');
    put('hmac', 'old-key\n');
    put(
      'channels.yaml',
      `channels:\n  - name: pager\n    type: webhook\n    url: { file: ${file('url')} }\n    secret: { file: ${file('hmac')} }\n`,
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('picks up a rotated URL and HMAC key once the re-read interval has passed', () => {
    const channels = source();
    put('url', 'http://127.0.0.1:9/new\n');
    put('hmac', 'new-key\n');
    clock += 4_999;
    expect(channels.current()).toEqual([
      { name: 'pager', type: 'webhook', url: 'http://127.0.0.1:9/old', secret: 'old-key' },
    ]);
    clock += 1;
    expect(channels.current()).toEqual([
      { name: 'pager', type: 'webhook', url: 'http://127.0.0.1:9/new', secret: 'new-key' },
    ]);
  });

  it('reads on every use with an interval of 0', () => {
    const channels = source(0);
    put('hmac', 'rotated\n');
    expect(channels.current()[0]?.secret).toBe('rotated');
  });

  it('keeps the last good channels while a re-read fails, and says why without quoting a value', () => {
    const channels = source(0);
    put('url', 'ftp://secret-host.example/hook\n');
    expect(channels.current()[0]?.url).toBe('http://127.0.0.1:9/old');
    expect(channels.lastProblems).toEqual(['channels.0.url: must be an http(s) URL']);
    rmSync(file('hmac'));
    put('url', 'http://127.0.0.1:9/new\n');
    expect(channels.current()[0]?.url).toBe('http://127.0.0.1:9/old');
    expect(channels.lastProblems).toEqual([`channels.0.secret: cannot read ${file('hmac')}: ENOENT`]);
    put('hmac', 'new-key\n');
    expect(channels.current()).toEqual([
      { name: 'pager', type: 'webhook', url: 'http://127.0.0.1:9/new', secret: 'new-key' },
    ]);
    expect(channels.lastProblems).toEqual([]);
  });

  it('adds and removes channels edited into the channels file', () => {
    const channels = source(0);
    put('am', 'http://127.0.0.1:9093\n');
    put(
      'channels.yaml',
      `channels:\n  - name: am\n    type: alertmanager\n    url: { file: ${file('am')} }\n`,
    );
    expect(channels.current()).toEqual([{ name: 'am', type: 'alertmanager', url: 'http://127.0.0.1:9093' }]);
  });

  it('refuses a broken channels file at start, as before', () => {
    put('url', '');
    expect(() => source()).toThrow(
      `invalid alert channels (${file('channels.yaml')}) configuration: channels.0.url: must be an http(s) URL`,
    );
  });

  it('names every bad URL and secret at start at once, a webhook missing both and a duplicated name included', () => {
    put(
      'channels.yaml',
      [
        'channels:',
        `  - { name: pager, type: webhook, url: { file: ${file('gone-url')} }, secret: { file: ${file('gone-hmac')} } }`,
        '  - { name: am, type: alertmanager, url: { env: ALERTMANAGER_URL } }',
        `  - { name: pager, type: webhook, url: { file: ${file('url')} } }`,
        '',
      ].join('\n'),
    );
    expect(() => source()).toThrow(
      `invalid alert channels (${file('channels.yaml')}) configuration: ` +
        [
          `channels.0.url: cannot read ${file('gone-url')}: ENOENT`,
          `channels.0.secret: cannot read ${file('gone-hmac')}: ENOENT`,
          'channels.1.url: environment variable ALERTMANAGER_URL is not set',
          'channels.2.secret: webhooks are signed; set a secret',
          "channels: name 'pager' is used twice",
        ].join('; '),
    );
  });

  it('has no channels and reads nothing without a file', () => {
    const channels = new ChannelSource({ env: {}, rereadMs: 0, log: pino({ level: 'silent' }) });
    expect(channels.current()).toEqual([]);
  });
});
