/**
 * AES-256-GCM encryption of stored provider tokens. The ciphertext names the key it was made
 * with (`v1.<keyId>.<iv>.<tag>.<data>`, base64url parts), so keys can be rotated: a cipher holds
 * the current key for encrypting and any number of older keys for decrypting.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface TokenCipher {
  readonly keyId: string;
  encrypt(plaintext: string): string;
  decrypt(stored: string): string;
}

export class TokenDecryptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenDecryptionError';
  }
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

export function createTokenCipher(currentKey: Buffer, olderKeys: readonly Buffer[] = []): TokenCipher {
  for (const key of [currentKey, ...olderKeys]) {
    if (key.length !== 32) throw new Error('An encryption key must be exactly 32 bytes.');
  }
  const keys = new Map<string, Buffer>();
  for (const key of [currentKey, ...olderKeys]) keys.set(keyIdOf(key), key);
  const keyId = keyIdOf(currentKey);

  return {
    keyId,
    encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
      cipher.setAAD(Buffer.from(keyId));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ['v1', keyId, iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join('.');
    },
    decrypt(stored) {
      const parts = stored.split('.');
      if (parts.length !== 5 || parts[0] !== 'v1') {
        throw new TokenDecryptionError('The stored token is not in a format this version can read.');
      }
      const [, id, iv, tag, data] = parts as [string, string, string, string, string];
      const key = keys.get(id);
      if (!key) {
        throw new TokenDecryptionError(
          `The stored token was encrypted with key ${id}, which is not configured; set ENCRYPTION_KEY to that key.`,
        );
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(id));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new TokenDecryptionError('The stored token could not be decrypted: it was altered or the key is wrong.', {
          cause,
        });
      }
    },
  };
}
