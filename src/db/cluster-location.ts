/**
 * Where the cluster (PGDATA) of a data dir lives. Normally `<dataDir>/postgres`. When we run as root and
 * the "postgres" OS user cannot enter a folder above the data dir (a clone in /root, whose mode we must
 * not change), it lives at `<shared state dir>/<id>/postgres` instead, id being a hash of the data dir's
 * real path, beside a marker naming that data dir, and the data dir keeps a pointer to it (cluster.json),
 * so a data dir that is moved or renamed finds its cluster again. Everything else (password, server.json,
 * lock, log, encryption key) stays in the data dir. The choice is sticky: an existing cluster at either
 * place is used; only a new one is placed by reachability.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { markerDataDir, readPointer, writeMarker, writePointer } from './cluster-marker.js';
import { pruneAbandonedClusters } from './prune-abandoned-clusters.js';
import { closedFolder, type RunAs } from './postgres-os-user.js';
import { runningPostmaster, stopPostmaster } from './postgres-process.js';
import { sharedStateDir, sharedStateDirCandidates } from './shared-state-dir.js';

export interface ClusterLocation {
  /** The cluster's folder (PGDATA). */
  dir: string;
  /** One line for the user when the cluster lives outside the data dir (where and why); null otherwise. */
  notice: string | null;
}

export async function locateCluster(options: { dataDir: string; runAs: RunAs; log: Logger }): Promise<ClusterLocation> {
  const { dataDir, runAs, log } = options;
  const inside = { dir: path.join(dataDir, 'postgres'), notice: null };
  if (runAs.uid === undefined) return inside;
  // The pointer first: a data dir moved since its cluster was placed hashes to another id, and its
  // cluster's marker names a data dir that is gone: not one to prune.
  const pointed = await readPointer(dataDir);
  const roots = sharedStateDirCandidates();
  await pruneAbandonedClusters(roots, log, pointed ? path.dirname(pointed) : null);
  if (hasCluster(inside.dir)) return inside;
  const real = await realpath(dataDir);
  const closed = await closedFolder(path.dirname(dataDir), runAs);
  const known = [
    ...(pointed && hasCluster(pointed) ? [pointed] : []),
    ...roots.map((root) => path.join(root, clusterId(real), 'postgres')).filter(hasCluster),
  ];
  const dir = known[0];
  if (dir !== undefined) {
    await writeMarker(path.dirname(dir), real);
    if (dir !== pointed) await writePointer(dataDir, dir);
    return relocated(dir, { closed, fallback: !dir.startsWith(`${roots[0]}${path.sep}`) }, log);
  }
  if (!closed) return inside;
  const state = await sharedStateDir(runAs);
  const home = path.join(state.dir, clusterId(real));
  await mkdir(home, { recursive: true, mode: 0o755 });
  await writeMarker(home, real);
  await writePointer(dataDir, path.join(home, 'postgres'));
  return relocated(path.join(home, 'postgres'), { closed, fallback: state.fallback }, log);
}

/**
 * Removes the cluster kept outside `dataDir` for it, if any, stopping a postmaster still running there:
 * call it when deleting a data dir (before or after), as deleting the data dir alone leaves it behind.
 */
export async function removeEmbeddedCluster(dataDir: string): Promise<void> {
  const real = await realpath(dataDir).catch(() => path.resolve(dataDir));
  const pointed = await readPointer(dataDir);
  const homes = sharedStateDirCandidates().map((root) => path.join(root, clusterId(real)));
  if (pointed) homes.unshift(path.dirname(pointed));
  for (const home of new Set(homes)) {
    if ((await markerDataDir(home)) !== real) continue;
    const pid = await runningPostmaster(path.join(home, 'postgres'));
    if (pid !== null) await stopPostmaster(pid);
    await rm(home, { recursive: true, force: true });
  }
}

export function clusterId(realDataDir: string): string {
  return createHash('sha256').update(realDataDir).digest('hex').slice(0, 12);
}

function hasCluster(dir: string): boolean {
  return existsSync(path.join(dir, 'PG_VERSION'));
}

function relocated(dir: string, why: { closed: string | null; fallback: boolean }, log: Logger): ClusterLocation {
  const reason = why.closed
    ? `the data dir's folders are closed to the "postgres" OS user`
    : `placed there while the data dir's folders were closed to the "postgres" OS user`;
  const where = why.fallback ? `; /var/lib/issue-sync was not usable, so it is in the temp dir and may not survive a reboot` : '';
  // Warned when in the temp dir: a reboot that clears it loses the database.
  log[why.fallback ? 'warn' : 'info']({ clusterDir: dir, closedFolder: why.closed, fallback: why.fallback }, 'embedded PostgreSQL cluster outside the data dir');
  return { dir, notice: `Embedded PostgreSQL cluster: ${dir} (${reason}${where})` };
}
