/**
 * The key for stored provider tokens: ENCRYPTION_KEY when set, otherwise a key generated once
 * into `<dataDir>/encryption.key` (mode 0600) and read from there on every later start.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { decodeKey } from '../config.js';
import { ensureDataDir } from '../ensure-data-dir.js';

export async function loadEncryptionKey(
  configured: Buffer | undefined,
  dataDir: string,
): Promise<{ key: Buffer; source: 'env' | 'file' | 'generated'; path?: string }> {
  if (configured) return { key: configured, source: 'env' };
  const path = join(dataDir, 'encryption.key');
  try {
    const stored = (await readFile(path, 'utf8')).trim();
    const key = decodeKey(stored);
    if (!key) throw new Error(`${path} does not hold a 32-byte base64 key; restore it or set ENCRYPTION_KEY.`);
    return { key, source: 'file', path };
  } catch (error) {
    // Missing, or a data dir that cannot be one (ENOTDIR): ensureDataDir says which.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
  }
  await ensureDataDir(dataDir);
  const key = randomBytes(32);
  try {
    await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process generated it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadEncryptionKey(undefined, dataDir);
    throw error;
  }
  return { key, source: 'generated', path };
}
