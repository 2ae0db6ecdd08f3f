#!/usr/bin/env -S node --max-old-space-size=1024
// The heap flag: memory is bounded by design (two pages per sync), and with V8's default limit on a
// large machine the heap would grow to hundreds of megabytes before a full collection.
// Runs dist/main.js, compiled JavaScript: transpiling the TypeScript at every start (tsx) cost half a
// second. In a checkout (src/ present) dist/ is first brought up to date with src/ (bin/build-dist.js:
// a few ms when nothing changed), so an edit is never run stale; the container image has no src/.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22.1 and later keep V8's compiled code between runs (in the OS temp dir): a later start skips
// most of the compiling of Probot, Prisma and zod. Node 20 has no such cache and starts without it.
module.enableCompileCache?.();

if (existsSync(new URL('../src/main.ts', import.meta.url))) {
  const { ensureBuilt } = await import('./build-dist.js');
  await ensureBuilt();
}
await import(new URL('../dist/main.js', import.meta.url).href);
