// Compiles src/ to dist/ with esbuild, one .js per .ts (no bundle): the module graph stays as written,
// so commands still load only what they import, and dist/db/migrate.js finds ../../prisma as
// src/db/migrate.ts does. Transpiling only (no type check: that is `npm run typecheck`) takes about
// 0.3 s, against the ~0.5 s tsx spent at every start.
//
//   node bin/build-dist.js                 build now (`npm run build`)
//   node bin/build-dist.js --if-sources    build, or do nothing where src/ is absent (postinstall in the
//                                          container image, which copies src/ after `npm ci`)
//
// bin/issue-sync.js calls ensureBuilt() at every start from a checkout, so an edit in src/ is never
// run stale: dist/.build-stamp.json records the newest mtime and the number of files in src/ it was
// built from, and a walk of src/ (a few ms) tells whether that still holds.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const srcDir = path.join(root, 'src');
const distDir = path.join(root, 'dist');
const stampFile = path.join(distDir, '.build-stamp.json');
const thisFile = fileURLToPath(import.meta.url);

/** What dist/ was built from: the newest mtime in src/ (and of this script) and how many files src/ held. */
function sourceState() {
  let newest = statSync(thisFile).mtimeMs;
  let files = 0;
  const entries = [];
  for (const entry of readdirSync(srcDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    newest = Math.max(newest, statSync(file).mtimeMs);
    files += 1;
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) entries.push(file);
  }
  return { stamp: { newest, files }, entries };
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return null;
  }
}

/** Builds dist/ from src/. Each file is written beside its target and renamed over it, so a process
 * starting while another rebuilds reads either the old file or the new one, never half of one. */
export async function build(state = sourceState()) {
  const { build: esbuild } = await import('esbuild');
  const result = await esbuild({
    entryPoints: state.entries,
    outbase: srcDir,
    outdir: distDir,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    write: false,
  });
  const suffix = `.tmp-${process.pid}`;
  for (const file of result.outputFiles) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    writeFileSync(file.path + suffix, file.contents);
    renameSync(file.path + suffix, file.path);
  }
  writeFileSync(stampFile + suffix, `${JSON.stringify(state.stamp)}\n`);
  renameSync(stampFile + suffix, stampFile);
}

/** Rebuilds dist/ when src/ changed since it was built; true when it did. */
export async function ensureBuilt() {
  const state = sourceState();
  const stamp = readStamp();
  if (stamp && stamp.newest === state.stamp.newest && stamp.files === state.stamp.files) return false;
  await build(state);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === thisFile) {
  if (process.argv.includes('--if-sources') && !existsSync(path.join(srcDir, 'main.ts'))) {
    process.stdout.write('build-dist: no src/ here, nothing to build.\n');
  } else {
    const started = Date.now();
    await build();
    process.stdout.write(`build-dist: src/ compiled to dist/ in ${Math.round(Date.now() - started)} ms.\n`);
  }
}
