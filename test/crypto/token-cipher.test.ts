import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokenCipher, keyIdOf, TokenDecryptionError } from '../../src/crypto/token-cipher.js';
import { loadEncryptionKey } from '../../src/crypto/load-encryption-key.js';

describe('token cipher', () => {
  it('round-trips a token and never stores it in clear', () => {
    const cipher = createTokenCipher(randomBytes(32));
    const stored = cipher.encrypt('ghp_secret_token_value');
    expect(stored).not.toContain('ghp_secret_token_value');
    expect(stored.startsWith(`v1.${cipher.keyId}.`)).toBe(true);
    expect(cipher.decrypt(stored)).toBe('ghp_secret_token_value');
  });

  it('uses a fresh IV each time', () => {
    const cipher = createTokenCipher(randomBytes(32));
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it('detects tampering', () => {
    const cipher = createTokenCipher(randomBytes(32));
    const parts = cipher.encrypt('token').split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow(TokenDecryptionError);
  });

  it('decrypts with an older key after rotation and names a missing key', () => {
    const oldKey = randomBytes(32);
    const stored = createTokenCipher(oldKey).encrypt('token');
    const rotated = createTokenCipher(randomBytes(32), [oldKey]);
    expect(rotated.decrypt(stored)).toBe('token');
    expect(() => createTokenCipher(randomBytes(32)).decrypt(stored)).toThrow(keyIdOf(oldKey));
  });
});

describe('loadEncryptionKey', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('generates a key once into the data dir with mode 0600 and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'issue-sync-key-'));
    dirs.push(dir);
    const first = await loadEncryptionKey(undefined, dir);
    expect(first.source).toBe('generated');
    expect((await stat(join(dir, 'encryption.key'))).mode & 0o777).toBe(0o600);
    const second = await loadEncryptionKey(undefined, dir);
    expect(second.source).toBe('file');
    expect(second.key.equals(first.key)).toBe(true);
    expect((await readFile(join(dir, 'encryption.key'), 'utf8')).trim()).toBe(first.key.toString('base64'));
  });

  it('prefers the configured key', async () => {
    const key = randomBytes(32);
    expect((await loadEncryptionKey(key, '/nonexistent')).key).toBe(key);
  });
});
