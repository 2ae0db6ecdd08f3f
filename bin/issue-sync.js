#!/usr/bin/env -S node --max-old-space-size=1024
// The heap flag: memory is bounded by design (two pages per sync), and with V8's default limit on a
// large machine the heap would grow to hundreds of megabytes before a full collection.
// Runs the compiled build when there is one without sources (the container image); otherwise the
// TypeScript sources through tsx, so `npm install && npm start` needs no build step.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/main.js', import.meta.url);
const source = new URL('../src/main.ts', import.meta.url);

if (!existsSync(source) && existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
}
