// Stored credentials: sealed with AES-256-GCM, readable only with the same key, and the key is
// generated once into DATA_DIR when ENCRYPTION_KEY is not set.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { createSecretBox, resolveEncryptionKey } from './secrets.ts';

describe('the secret box', () => {
  it('opens what it sealed, and seals the same text differently each time', () => {
    const box = createSecretBox('a key');
    const first = box.encrypt('xoxb-123');
    const second = box.encrypt('xoxb-123');
    expect(first).toMatch(/^v2:[0-9a-f]{8}:/);
    expect(first).not.toContain('xoxb');
    expect(first).not.toBe(second);
    expect(box.decrypt(first)).toBe('xoxb-123');
  });

  it('refuses another key and an altered value', () => {
    const sealed = createSecretBox('a key').encrypt('https://hooks.slack.com/services/T/B/x');
    expect(() => createSecretBox('another key').decrypt(sealed)).toThrow();
    const altered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}A`;
    expect(() => createSecretBox('a key').decrypt(altered)).toThrow();
    expect(() => createSecretBox('a key').decrypt('plain text')).toThrow();
  });

  it('opens what a previous key sealed, and says it needs re-sealing', () => {
    const old = createSecretBox('old key');
    const box = createSecretBox('new key', ['old key']);
    const sealedBefore = old.encrypt('xoxb-1');
    expect(box.decrypt(sealedBefore)).toBe('xoxb-1');
    expect(box.sealedWithOldKey(sealedBefore)).toBe(true);
    const sealedNow = box.encrypt('xoxb-1');
    expect(box.sealedWithOldKey(sealedNow)).toBe(false);
    // Without the previous key the old value cannot be read.
    expect(() => createSecretBox('new key').decrypt(sealedBefore)).toThrow();
  });

  it('still opens values sealed before key ids (v1), with whichever key sealed them', () => {
    // A v1 value is the same sealed bytes without the key id.
    const v1 = `v1:${createSecretBox('old key').encrypt('xoxb-2').split(':')[2] ?? ''}`;
    const box = createSecretBox('new key', ['old key']);
    expect(box.decrypt(v1)).toBe('xoxb-2');
    expect(box.sealedWithOldKey(v1)).toBe(true);
    expect(() => createSecretBox('new key').decrypt(v1)).toThrow();
  });

  it('uses ENCRYPTION_KEY, else generates a key once into DATA_DIR', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-secrets-'));
    expect(resolveEncryptionKey({ encryptionKey: 'given', dataDir })).toBe('given');
    const generated = resolveEncryptionKey({ dataDir });
    expect(generated.length).toBeGreaterThanOrEqual(40);
    expect(resolveEncryptionKey({ dataDir })).toBe(generated);
    const file = path.join(dataDir, 'secrets', 'encryption-key');
    expect(readFileSync(file, 'utf8')).toBe(generated);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
