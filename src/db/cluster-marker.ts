/**
 * The two ends of a cluster kept outside its data dir: the marker in `<shared state dir>/<id>/` naming the
 * data dir whose cluster that folder keeps (so a cluster is never taken by another data dir, and a temp
 * data dir's cluster can be pruned once it is gone), and the pointer in the data dir naming the cluster
 * (so a moved or renamed data dir finds it again).
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MARKER = 'data-dir.json';
const POINTER = 'cluster.json';

/** The real path of the data dir `home` belongs to, or null when it has no (readable) marker. */
export async function markerDataDir(home: string): Promise<string | null> {
  return readPathField(path.join(home, MARKER), 'dataDir');
}

/** The cluster dir the data dir's pointer names, or null when there is none. */
export async function readPointer(dataDir: string): Promise<string | null> {
  return readPathField(path.join(dataDir, POINTER), 'clusterDir');
}

export async function writePointer(dataDir: string, clusterDir: string): Promise<void> {
  await writeAtomically(path.join(dataDir, POINTER), { clusterDir });
}

async function readPathField(file: string, field: string): Promise<string | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const value = (JSON.parse(text) as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

async function writeAtomically(file: string, content: object): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o644 });
  await rename(temp, file);
}

/** Marks `home` as `realDataDir`'s, or refuses a folder that belongs to another data dir that still exists. */
export async function writeMarker(home: string, realDataDir: string): Promise<void> {
  const owner = await markerDataDir(home);
  if (owner === realDataDir) return;
  if (owner !== null && existsSync(owner)) {
    throw new Error(`${home} holds the embedded PostgreSQL cluster of ${owner}, not of ${realDataDir}; move one of the data dirs or set DATABASE_URL.`);
  }
  await writeAtomically(path.join(home, MARKER), { dataDir: realDataDir });
}
