/**
 * The processes embedded PostgreSQL runs (initdb and the postgres processes it starts, the postmaster
 * and its backends, the watchdog) get none of the service's secrets: their environments are read from
 * /proc/<pid>/environ while they run, with every secret the service knows set in this process.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeEmbeddedCluster } from '../../src/db/cluster-location.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded.js';
import { silentLogger } from '../../src/logger.js';

const unique = () => randomBytes(12).toString('hex');
const SECRETS: Record<string, string> = {
  PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey,
  ADMIN_TOKEN: `admin-${unique()}`,
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  WEBHOOK_SECRET: `gh-old-${unique()},gh-new-${unique()}`,
  GITLAB_WEBHOOK_SECRET: `gl-${unique()}`,
  BITBUCKET_WEBHOOK_SECRET: `bb-${unique()}`,
  DATABASE_URL: `postgres://sync:pw-${unique()}@db.example.com:5432/issue_sync`,
  GITHUB_TOKEN: `ghp_${unique()}`,
  GITLAB_TOKEN: `glpat-${unique()}`,
  BITBUCKET_TOKEN: `bb-token-${unique()}`,
};
/** What a leak would look like: each secret, and each line of the PEM's body. */
const NEEDLES = Object.values(SECRETS).flatMap((value) => [value, ...value.split(/[\n,]/).filter((part) => part.length >= 16 && !part.startsWith('-----'))]);

interface Seen {
  pid: number;
  command: string;
  environ: string;
}

/** Every process descending from this one, with its command line and environment. */
function descendants(): Seen[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let current = parentOf.get(pid); current !== undefined && current > 1; current = parentOf.get(current)) {
      if (current === process.pid) return true;
    }
    return false;
  };
  const seen: Seen[] = [];
  for (const pid of parentOf.keys()) {
    if (!isDescendant(pid)) continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      seen.push({ pid, command, environ });
    } catch {
      // exited meanwhile
    }
  }
  return seen;
}

const saved: Record<string, string | undefined> = {};
let dataDir: string;
let server: EmbeddedPostgres | undefined;
const seen = new Map<string, Seen>();
const record = () => {
  for (const entry of descendants()) seen.set(`${entry.pid} ${entry.command}`, entry);
};

beforeAll(async () => {
  for (const [name, value] of Object.entries(SECRETS)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'issue-sync-environ-'));
  // initdb and the postgres processes it runs live a second or two: look at them while they do.
  const watching = setInterval(record, 5);
  try {
    server = await startEmbeddedPostgres({ dataDir, log: silentLogger() });
  } finally {
    clearInterval(watching);
  }
  // A connection gets a backend of its own, forked from the postmaster.
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query('SELECT 1');
    record();
  } finally {
    await client.end();
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (dataDir) {
    await removeEmbeddedCluster(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  }
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('the processes of embedded PostgreSQL', () => {
  it('were all seen running: initdb, postgres during initdb, the postmaster, a backend and the watchdog', () => {
    const commands = [...seen.values()].map((entry) => entry.command);
    expect(commands.some((command) => /\binitdb\b/.test(command))).toBe(true);
    expect(commands.some((command) => /\bpostgres\b.*(--boot|--single)/.test(command))).toBe(true);
    expect(commands.some((command) => /\bpostgres\b.*listen_addresses=127\.0\.0\.1/.test(command))).toBe(true);
    expect(commands.some((command) => /^postgres: .*SELECT|^postgres: .*idle|^postgres: .*issue_sync/.test(command))).toBe(true);
    expect(commands.some((command) => command.includes('signalledAt'))).toBe(true);
  });

  it('get none of the secrets set for the service', () => {
    const leaks = [...seen.values()].flatMap((entry) =>
      NEEDLES.filter((needle) => entry.environ.includes(needle)).map((needle) => `${entry.command.slice(0, 60)}: ${needle.slice(0, 12)}…`),
    );
    expect(leaks).toEqual([]);
    expect(seen.size).toBeGreaterThanOrEqual(5);
  });

  it('get only the variables on the allow-list (PATH, locale, time zone, temp dir, library path)', () => {
    const names = new Set([...seen.values()].flatMap((entry) => entry.environ.split('\0').filter(Boolean).map((pair) => pair.split('=')[0]!)));
    // initdb sets PGDATA (and the like) for the postgres processes it runs, through a shell that adds PWD.
    const ours = [...names].filter((name) => !/^(PG\w+|PWD|OLDPWD|SHLVL|_)$/.test(name));
    expect(ours.filter((name) => !/^(PATH|LANG|LANGUAGE|TZ|TMPDIR|LD_LIBRARY_PATH|LC_\w+)$/.test(name))).toEqual([]);
  });
});
