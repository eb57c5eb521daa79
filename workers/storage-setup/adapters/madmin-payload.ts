import { createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * MinIO's admin API takes secrets (a new user's secret key) only encrypted with the caller's secret key, in
 * madmin's format: salt(32) | algorithm id(1) | nonce(8) | sio stream. This writes the PBKDF2-SHA256 + AES-256-GCM
 * variant (id 0x02, 8192 rounds, what madmin uses in FIPS mode), which every MinIO server decrypts. The payload
 * is one sio fragment (< 16 KiB): the stream's associated data is the GCM tag of an empty message under sequence
 * number 0, and the single (final) fragment is sealed under sequence number 1 with the final flag 0x80.
 */
const PBKDF2_AES_GCM = 0x02;
const PBKDF2_ROUNDS = 8192;
const SIO_FRAGMENT_SIZE = 16 * 1024;

export class AdminPayloadTooLargeError extends Error {
  readonly code = 'ADMIN_PAYLOAD_TOO_LARGE';
}

function sioNonce(nonce8: Buffer, seq: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce8.copy(nonce);
  nonce.writeUInt32LE(seq, 8);
  return nonce;
}

function seal(key: Buffer, nonce: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export function encryptAdminPayload(
  password: string,
  plaintext: Uint8Array,
  random: (bytes: number) => Buffer = randomBytes,
): Buffer {
  if (plaintext.byteLength >= SIO_FRAGMENT_SIZE) {
    throw new AdminPayloadTooLargeError(
      `admin payload: ${plaintext.byteLength} bytes is over the ${SIO_FRAGMENT_SIZE - 1} one fragment allows`,
    );
  }
  const salt = random(32);
  const nonce8 = random(8);
  const key = pbkdf2Sync(password, salt, PBKDF2_ROUNDS, 32, 'sha256');
  const streamTag = seal(key, sioNonce(nonce8, 0), Buffer.alloc(0), Buffer.alloc(0));
  const finalAad = Buffer.concat([Buffer.from([0x80]), streamTag]);
  const body = seal(key, sioNonce(nonce8, 1), Buffer.from(plaintext), finalAad);
  return Buffer.concat([salt, Buffer.from([PBKDF2_AES_GCM]), nonce8, body]);
}
