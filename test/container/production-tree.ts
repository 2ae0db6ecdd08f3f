/**
 * What `npm prune --omit=dev` leaves in node_modules once package.json has no devDependencies (the
 * Dockerfile's build stage does exactly that), computed from package-lock.json with npm's rules:
 * from the root's dependencies and optionalDependencies, follow every package's dependencies,
 * optionalDependencies and required peerDependencies (an optional peer is installed only when
 * something else asks for it), each resolved the way Node and npm do, from the package's own
 * node_modules up to the root's. Packages the lock lists but this machine never installed (another
 * platform's optional binaries) are left out.
 *
 * Why not run npm itself on a copy: a hard-linked copy of node_modules shares its files with the
 * checkout's, and npm rewrites some of them in place (node_modules/.package-lock.json).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface LockPackage {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  link?: boolean;
}

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockPackage>;
}

/** Lock paths (`node_modules/a`, `node_modules/a/node_modules/b`) of the production tree, sorted. */
export function productionTree(root: string): string[] {
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as Lockfile;
  if (lock.lockfileVersion < 2) throw new Error('package-lock.json must be lockfileVersion 2 or 3 (npm 7 or newer).');
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as LockPackage;
  const installed = (lockPath: string) => lockPath in lock.packages && existsSync(path.join(root, lockPath));

  /** Where `name`, required from the package at `from`, resolves: its own node_modules first, then up. */
  const resolve = (name: string, from: string): string | null => {
    let base = from;
    for (;;) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (installed(candidate)) return candidate;
      if (!base) return null;
      const cut = base.lastIndexOf('node_modules/');
      base = base.slice(0, Math.max(0, cut - 1));
    }
  };

  const kept = new Set<string>();
  const missing: string[] = [];
  const visit = (from: string, pkg: LockPackage) => {
    const wanted: [string, boolean][] = [
      ...Object.keys(pkg.dependencies ?? {}).map((name): [string, boolean] => [name, true]),
      ...Object.keys(pkg.optionalDependencies ?? {}).map((name): [string, boolean] => [name, false]),
      ...Object.keys(pkg.peerDependencies ?? {})
        .filter((name) => !pkg.peerDependenciesMeta?.[name]?.optional)
        .map((name): [string, boolean] => [name, true]),
    ];
    for (const [name, required] of wanted) {
      const target = resolve(name, from);
      if (!target) {
        if (required) missing.push(`${name} (wanted by ${from || 'package.json'})`);
        continue;
      }
      if (kept.has(target)) continue;
      kept.add(target);
      visit(target, lock.packages[target]!);
    }
  };
  // The root as package.json declares it, whatever the lock's root entry says about devDependencies.
  visit('', { dependencies: manifest.dependencies ?? {}, optionalDependencies: manifest.optionalDependencies ?? {} });
  if (missing.length > 0) throw new Error(`Production dependencies not installed here: ${missing.join(', ')}; run npm ci.`);
  return [...kept].sort();
}

/** The production tree's top-level folders (`node_modules/a`, `node_modules/@s/b`): nested ones live inside them. */
export function topLevel(lockPaths: string[]): string[] {
  return lockPaths.filter((lockPath) => !lockPath.slice('node_modules/'.length).includes('/node_modules/'));
}
