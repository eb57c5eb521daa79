import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturedLog } from '../../../testbin/harness/captured-log.js';
import { ClientSecretFile } from './client-secret-file.js';
import { mountedSecret } from './testing/mounted-secret.js';

const kubeletVolume = (secret: string) => mountedSecret('client-secret', secret);

describe('ClientSecretFile', () => {
  it('gives the rotated secret at the next use after the kubelet swaps the file, without being rebuilt', () => {
    const volume = kubeletVolume('first-secret');
    const { log, lines } = capturedLog<{ msg: string; problem?: string }>();
    const file = new ClientSecretFile(volume.path, log);
    expect(file.current()).toBe('first-secret');
    volume.rotate('second-secret');
    expect(file.current()).toBe('second-secret');
    expect(lines.map((l) => l.msg)).toEqual(['oidc client secret changed']);
    expect(JSON.stringify(lines)).not.toContain('second-secret');
  });

  it('refuses to start on a missing or empty file, naming the key and the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-oidc-secret-'));
    const { log } = capturedLog<{ msg: string; problem?: string }>();
    expect(() => new ClientSecretFile(join(dir, 'absent'), log)).toThrow(
      `invalid query configuration: GRAVIX_OIDC_CLIENT_SECRET_FILE="${join(dir, 'absent')}": cannot be read (ENOENT)`,
    );
    writeFileSync(join(dir, 'empty'), ' \n');
    expect(() => new ClientSecretFile(join(dir, 'empty'), log)).toThrow(
      `invalid query configuration: GRAVIX_OIDC_CLIENT_SECRET_FILE="${join(dir, 'empty')}": the file is empty`,
    );
  });

  it('keeps the last good secret while the file is unreadable, warns once, and says when it is back', () => {
    const volume = kubeletVolume('kept-secret');
    const { log, lines } = capturedLog<{ msg: string; problem?: string }>();
    const file = new ClientSecretFile(volume.path, log);
    rmSync(join(volume.dir, '..data'));
    expect(file.current()).toBe('kept-secret');
    expect(file.current()).toBe('kept-secret');
    volume.rotate('back-secret');
    expect(file.current()).toBe('back-secret');
    expect(lines.map((l) => l.msg)).toEqual([
      'oidc client secret re-read failed; keeping the last good one',
      'oidc client secret readable again',
    ]);
    expect(lines[0]!.problem).toBe(
      `GRAVIX_OIDC_CLIENT_SECRET_FILE="${volume.path}": cannot be read (ENOENT)`,
    );
  });
});
