// Credentials Herald keeps for a business (a Slack bot token, an incoming-webhook URL) are stored
// encrypted with AES-256-GCM, so a database dump alone does not hand them out. The key comes from
// ENCRYPTION_KEY, else one is generated on first start and kept in DATA_DIR, like the JWT secret.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const VERSION = 'v2';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  /** `v2:<key id>:` + base64url(iv ‖ tag ‖ ciphertext), sealed with the current key. */
  encrypt(plaintext: string): string;
  /**
   * The plaintext, opened with the key that sealed it (the current one or a previous one);
   * throws when no key it holds sealed it (or the value was altered).
   */
  decrypt(sealed: string): string;
  /** Whether the value was sealed with a key other than the current one (re-seal it). */
  sealedWithOldKey(sealed: string): boolean;
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

interface Key {
  id: string;
  aes: Buffer;
}

/** Any string works as a key: SHA-256 of it gives the 256 bits AES needs. */
function keyOf(secret: string): Key {
  const aes = createHash('sha256').update(secret).digest();
  // A short id that names the key in sealed values without telling anything about it.
  const id = createHash('sha256').update(aes).update('herald key id').digest('hex').slice(0, 8);
  return { id, aes };
}

function open(key: Key, body: string): string {
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('not a sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', key.aes, bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([
    decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}

/**
 * Seals with `key`; opens what `key` or any of `previous` sealed (ENCRYPTION_KEY_PREVIOUS), so
 * a key can be changed while the values sealed with the old one are re-sealed.
 */
export function createSecretBox(key: string, previous: readonly string[] = []): SecretBox {
  const current = keyOf(key);
  const keys = [current, ...previous.map(keyOf)];
  return {
    encrypt(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.aes, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const sealed = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
      return `${VERSION}:${current.id}:${sealed.toString('base64url')}`;
    },
    decrypt(sealed) {
      const parts = sealed.split(':');
      if (parts[0] === VERSION && parts.length === 3) {
        const key = keys.find((candidate) => candidate.id === parts[1]);
        if (!key) throw new Error('sealed with a key this server does not hold');
        return open(key, parts[2] ?? '');
      }
      // v1 (before key ids): whichever key opens it.
      if (parts[0] === 'v1' && parts.length === 2) {
        for (const candidate of keys) {
          try {
            return open(candidate, parts[1] ?? '');
          } catch {
            // not this key
          }
        }
      }
      throw new Error('not a sealed secret');
    },
    sealedWithOldKey(sealed) {
      const parts = sealed.split(':');
      return !(parts[0] === VERSION && parts[1] === current.id);
    },
  };
}
