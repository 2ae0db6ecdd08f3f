/**
 * Clusters kept outside their data dir (cluster-location.ts) would pile up when temp data dirs are deleted
 * without removeEmbeddedCluster (a test run or benchmark that crashed). At start, as root, we remove each
 * `<shared state dir>/<id>` whose marker names a data dir in the temp dir that no longer exists and whose
 * postmaster is not running. Only temp data dirs: any other may have been moved (its pointer still finds
 * the cluster) or sit on a volume that is not mounted now, and a database is never deleted on a guess.
 * Best effort and cheap: a readdir and a few small reads. Staged binaries are not touched.
 */
import { existsSync, realpathSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { markerDataDir } from './cluster-marker.js';
import { runningPostmaster } from './postgres-process.js';

const CLUSTER_ID = /^[0-9a-f]{12}$/;

export async function pruneAbandonedClusters(roots: string[], log: Logger, keep: string | null): Promise<void> {
  const temp = `${realpathSync(os.tmpdir())}${path.sep}`;
  for (const root of roots) {
    for (const name of await readdir(root).catch(() => [])) {
      if (!CLUSTER_ID.test(name)) continue;
      const home = path.join(root, name);
      if (home === keep) continue;
      try {
        const dataDir = await markerDataDir(home);
        if (dataDir === null || !dataDir.startsWith(temp) || existsSync(dataDir) || (await runningPostmaster(path.join(home, 'postgres'))) !== null) continue;
        await rm(home, { recursive: true, force: true });
        log.info({ clusterDir: home, dataDir }, 'removed the embedded PostgreSQL cluster of a data dir that no longer exists');
      } catch (error) {
        log.debug({ err: error, clusterDir: home }, 'could not prune an embedded PostgreSQL cluster');
      }
    }
  }
}
