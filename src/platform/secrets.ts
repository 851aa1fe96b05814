// Credentials Herald keeps for a business (a Slack bot token, an incoming-webhook URL) are stored
// encrypted with AES-256-GCM, so a database dump alone does not hand them out. The key comes from
// ENCRYPTION_KEY, else one is generated on first start and kept in DATA_DIR, like the JWT secret.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  /** `v1:` + base64url(iv ‖ tag ‖ ciphertext). */
  encrypt(plaintext: string): string;
  /** The plaintext; throws when the value was not sealed with this key (or was altered). */
  decrypt(sealed: string): string;
}

/** ENCRYPTION_KEY, else a key generated once into DATA_DIR/secrets/encryption-key. */
export function resolveEncryptionKey(config: {
  encryptionKey?: string | undefined;
  dataDir: string;
}): string {
  if (config.encryptionKey) return config.encryptionKey;
  const file = path.join(config.dataDir, 'secrets', 'encryption-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

/** Any string works as the key: SHA-256 of it gives the 256 bits AES needs. */
export function createSecretBox(key: string): SecretBox {
  const aesKey = createHash('sha256').update(key).digest();
  return {
    encrypt(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', aesKey, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const sealed = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
      return `${VERSION}:${sealed.toString('base64url')}`;
    },
    decrypt(sealed) {
      const [version, body] = sealed.split(':', 2);
      if (version !== VERSION || !body) throw new Error('not a sealed secret');
      const bytes = Buffer.from(body, 'base64url');
      if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', aesKey, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}
