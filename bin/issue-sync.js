#!/usr/bin/env node
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
