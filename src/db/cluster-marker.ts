/**
 * The marker in `<shared state dir>/<id>/` naming the data dir whose cluster that folder keeps, so a
 * cluster is never taken by another data dir and can be pruned once its data dir is gone.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MARKER = 'data-dir.json';

/** The real path of the data dir `home` belongs to, or null when it has no (readable) marker. */
export async function markerDataDir(home: string): Promise<string | null> {
  const text = await readFile(path.join(home, MARKER), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed = JSON.parse(text) as { dataDir?: unknown };
    return typeof parsed.dataDir === 'string' ? parsed.dataDir : null;
  } catch {
    return null;
  }
}

/** Marks `home` as `realDataDir`'s, or refuses a folder that belongs to another data dir that still exists. */
export async function writeMarker(home: string, realDataDir: string): Promise<void> {
  const owner = await markerDataDir(home);
  if (owner === realDataDir) return;
  if (owner !== null && existsSync(owner)) {
    throw new Error(`${home} holds the embedded PostgreSQL cluster of ${owner}, not of ${realDataDir}; move one of the data dirs or set DATABASE_URL.`);
  }
  const temp = path.join(home, `${MARKER}.${process.pid}.tmp`);
  await writeFile(temp, `${JSON.stringify({ dataDir: realDataDir }, null, 2)}\n`, { mode: 0o644 });
  await rename(temp, path.join(home, MARKER));
}
