/**
 * The files of an embedded PostgreSQL data dir, beside the cluster in `<dataDir>/postgres` (the
 * default; as root behind closed folders the cluster is elsewhere, see cluster-location.ts, these stay):
 * `postgres.json` (the superuser's generated password, 0600, kept for the life of the cluster),
 * `server.json` (who runs the server now and on which port, without secrets), `postgres.lock`, `postgres.log`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface EmbeddedPaths {
  dataDir: string;
  pgDir: string;
  credentialsFile: string;
  serverFile: string;
  lockFile: string;
  logFile: string;
}

export interface Credentials {
  user: string;
  password: string;
}

export interface ServerInfo {
  /** The process that started the server and stops it. */
  pid: number;
  postmasterPid: number;
  port: number;
  user: string;
  database: string;
}

export function embeddedPaths(dataDir: string): EmbeddedPaths {
  const root = path.resolve(dataDir);
  return {
    dataDir: root,
    pgDir: path.join(root, 'postgres'),
    credentialsFile: path.join(root, 'postgres.json'),
    serverFile: path.join(root, 'server.json'),
    lockFile: path.join(root, 'postgres.lock'),
    logFile: path.join(root, 'postgres.log'),
  };
}

/** Reads the cluster's credentials, generating them when `create` (a cluster about to be initialised). */
export async function loadCredentials(file: string, create: boolean): Promise<Credentials | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text !== null) {
    const parsed = JSON.parse(text) as Partial<Credentials>;
    if (typeof parsed.user === 'string' && typeof parsed.password === 'string') return { user: parsed.user, password: parsed.password };
    if (!create) throw new Error(`${file} lacks user/password; restore it, or delete the data dir's postgres/ folder to start an empty database.`);
  }
  if (!create) return null;
  const credentials = { user: 'issue_sync', password: randomBytes(24).toString('base64url') };
  await writeAtomically(file, JSON.stringify(credentials, null, 2), 0o600);
  return credentials;
}

export async function readServerInfo(file: string): Promise<ServerInfo | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<ServerInfo>;
    const { pid, postmasterPid, port, user, database } = parsed;
    if (typeof pid !== 'number' || typeof postmasterPid !== 'number' || typeof port !== 'number') return null;
    if (typeof user !== 'string' || typeof database !== 'string') return null;
    return { pid, postmasterPid, port, user, database };
  } catch {
    return null;
  }
}

export async function writeServerInfo(file: string, info: ServerInfo): Promise<void> {
  await writeAtomically(file, JSON.stringify(info, null, 2), 0o644);
}

/** Removes server.json if it still describes this postmaster (synchronous: also used from an 'exit' handler). */
export function removeServerInfoSync(file: string, postmasterPid: number): void {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as Partial<ServerInfo>;
    if (info.postmasterPid === postmasterPid) unlinkSync(file);
  } catch {
    // already gone or unreadable: nothing of ours to remove
  }
}

export function connectionUrl(credentials: Credentials, port: number, database: string): string {
  const user = encodeURIComponent(credentials.user);
  const password = encodeURIComponent(credentials.password);
  return `postgresql://${user}:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content, { mode });
  await rename(temp, file);
}
