/**
 * Builds the Dockerfile's stages into folders, without a container engine: each stage gets a folder
 * that stands for its filesystem (`/app` is `<root>/stage-N/app`), COPY copies from the checkout
 * (minus .dockerignore) or from an earlier stage's folder, and each RUN command is one this file
 * knows how to do here:
 *
 * - `npm ci`: node_modules is the checkout's (a symlink; it was installed from the same lock), and the
 *   package's install scripts run for real (postinstall: `prisma generate`, the build that skips).
 * - `npm run NAME`: the script runs for real in the stage's folder, node_modules/.bin on PATH.
 * - `npm pkg delete devDependencies`: package.json loses them.
 * - `npm prune --omit=dev`: node_modules becomes hard links to the production tree only (see
 *   production-tree.ts, which agrees with npm's own prune), so a module that needs a devDependency
 *   fails to load here as it would in the image.
 * - `mkdir -p`, `chown`: the folder is made; the owner is recorded.
 *
 * An instruction it does not know fails the build with a message saying so. Hard links keep it fast
 * (one copy of node_modules costs about a second); nothing run in the result writes into node_modules.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { commandOf, copyOf, dockerignore, healthcheckOf, parseDockerfile, type Stage } from './dockerfile.js';
import { productionTree, topLevel } from './production-tree.js';

export interface ContextCopy {
  source: string;
  line: number;
  /** Tracked by git: a fresh clone has it. */
  tracked: boolean;
  /** Every file under it is excluded by .dockerignore (the builder would fail). */
  ignored: boolean;
}

export interface StageCopy {
  from: string;
  source: string;
  line: number;
  found: boolean;
}

export interface EmulatedImage {
  stages: Stage[];
  /** The runtime stage's WORKDIR, as a folder here. */
  appDir: string;
  /** Maps a path of the runtime stage (`/data`) to its folder here. */
  hostPath(containerPath: string): string;
  env: Record<string, string>;
  user: string | null;
  owners: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  healthcheck: ReturnType<typeof healthcheckOf>;
  exposed: string[];
  volumes: string[];
  contextCopies: ContextCopy[];
  stageCopies: StageCopy[];
}

export function emulateImage(repo: string, root: string): EmulatedImage {
  const stages = parseDockerfile(readFileSync(path.join(repo, 'Dockerfile'), 'utf8'));
  const ignored = dockerignore(existsSync(path.join(repo, '.dockerignore')) ? readFileSync(path.join(repo, '.dockerignore'), 'utf8') : '');
  const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n'));
  const contextCopies: ContextCopy[] = [];
  const stageCopies: StageCopy[] = [];
  const stageRoots = new Map<string, string>();
  const home = path.join(root, 'home');
  mkdirSync(home, { recursive: true });

  let image: EmulatedImage | null = null;
  stages.forEach((stage, index) => {
    const stageRoot = path.join(root, `stage-${index}`);
    mkdirSync(stageRoot, { recursive: true });
    const inStage = (containerPath: string, workdir: string) => path.join(stageRoot, path.posix.resolve(workdir, containerPath));
    let workdir = '/';
    const env: Record<string, string> = {};
    const owners: Record<string, string> = {};
    let user: string | null = null;
    let entrypoint: string[] = [];
    let cmd: string[] = [];
    let healthcheck: EmulatedImage['healthcheck'] = null;
    const exposed: string[] = [];
    const volumes: string[] = [];

    for (const instruction of stage.instructions) {
      switch (instruction.keyword) {
        case 'WORKDIR':
          workdir = path.posix.resolve(workdir, instruction.args);
          mkdirSync(inStage('.', workdir), { recursive: true });
          break;
        case 'ENV':
          for (const [, name, value] of instruction.args.matchAll(/(\w+)=(\S+)/g)) env[name!] = value!;
          break;
        case 'COPY': {
          const copy = copyOf(instruction);
          const destination = inStage(copy.destination, workdir);
          const intoFolder = copy.destination.endsWith('/') || copy.sources.length > 1;
          for (const source of copy.sources) {
            if (copy.from) {
              const fromRoot = stageRoots.get(copy.from);
              if (!fromRoot) throw new Error(`Dockerfile line ${copy.line}: no stage named ${copy.from} before it`);
              const from = path.join(fromRoot, path.posix.resolve('/', source));
              const found = existsSync(from);
              stageCopies.push({ from: copy.from, source, line: copy.line, found });
              if (found) hardLinkCopy(from, intoFolder ? path.join(destination, path.basename(source)) : destination);
            } else {
              const relative = path.posix.normalize(source).replace(/\/$/, '');
              const files = contextFiles(repo, relative).filter((file) => !ignored(file));
              contextCopies.push({
                source,
                line: copy.line,
                tracked: tracked.has(relative) || [...tracked].some((file) => file.startsWith(`${relative}/`)),
                ignored: files.length === 0,
              });
              const isFolder = existsSync(path.join(repo, relative)) && statSync(path.join(repo, relative)).isDirectory();
              for (const file of files) {
                const target = isFolder
                  ? path.join(destination, path.relative(relative, file))
                  : intoFolder
                    ? path.join(destination, path.basename(file))
                    : destination;
                mkdirSync(path.dirname(target), { recursive: true });
                cpSync(path.join(repo, file), target);
              }
            }
          }
          break;
        }
        case 'RUN':
          for (const command of instruction.args.split('&&').map((part) => part.trim())) {
            run(command, { repo, cwd: inStage('.', workdir), env: { ...env, HOME: home }, owners, inStage: (p) => inStage(p, workdir), line: instruction.line });
          }
          break;
        case 'USER':
          user = instruction.args;
          break;
        case 'ENTRYPOINT':
          entrypoint = commandOf(instruction.args);
          break;
        case 'CMD':
          cmd = commandOf(instruction.args);
          break;
        case 'HEALTHCHECK':
          healthcheck = healthcheckOf(instruction);
          break;
        case 'EXPOSE':
          exposed.push(...instruction.args.split(' '));
          break;
        case 'VOLUME':
          volumes.push(...(instruction.args.startsWith('[') ? (JSON.parse(instruction.args) as string[]) : instruction.args.split(' ')));
          break;
        case 'LABEL':
        case 'STOPSIGNAL':
        case 'ARG':
          break;
        default:
          throw new Error(`Dockerfile line ${instruction.line}: test/container does not know ${instruction.keyword}; teach emulate-image.ts`);
      }
    }
    if (stage.name) stageRoots.set(stage.name, stageRoot);
    stageRoots.set(String(index), stageRoot);
    image = {
      stages,
      appDir: inStage('.', workdir),
      hostPath: (containerPath) => inStage(containerPath, workdir),
      env,
      user,
      owners,
      entrypoint,
      cmd,
      healthcheck,
      exposed,
      volumes,
      contextCopies,
      stageCopies,
    };
  });
  if (!image) throw new Error('The Dockerfile has no stage.');
  return image;
}

/** Files (paths relative to the checkout) under `relative`, or `[relative]` for a file; [] when absent. */
function contextFiles(repo: string, relative: string): string[] {
  const absolute = path.join(repo, relative);
  if (!existsSync(absolute)) return [];
  if (!statSync(absolute).isDirectory()) return [relative];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(repo, path.join(entry.parentPath, entry.name)));
}

function hardLinkCopy(from: string, to: string): void {
  mkdirSync(path.dirname(to), { recursive: true });
  try {
    execFileSync('cp', ['-al', from, to], { stdio: 'pipe' });
  } catch {
    // Another filesystem: a real copy, slower.
    rmSync(to, { recursive: true, force: true });
    execFileSync('cp', ['-a', from, to], { stdio: 'pipe' });
  }
}

interface RunContext {
  repo: string;
  cwd: string;
  env: Record<string, string>;
  owners: Record<string, string>;
  inStage(containerPath: string): string;
  line: number;
}

function run(command: string, context: RunContext): void {
  const { repo, cwd } = context;
  const env = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    ...context.env,
    // prisma.config.ts is loaded through jiti, whose cache would land in the checkout's node_modules.
    JITI_FS_CACHE: 'false',
    CHECKPOINT_DISABLE: '1',
  };
  const words = command.split(' ');
  if (command === 'npm ci') {
    if (!existsSync(path.join(cwd, 'node_modules'))) symlinkSync(path.join(repo, 'node_modules'), path.join(cwd, 'node_modules'));
    const scripts = (JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) {
      if (scripts[script]) run(`npm run ${script}`, context);
    }
  } else if (words[0] === 'npm' && words[1] === 'run' && words.length === 3) {
    // The script itself, as npm runs it (with node_modules/.bin on PATH), without npm's start-up.
    const scripts = (JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
    const script = scripts[words[2]!];
    if (!script) throw new Error(`Dockerfile line ${context.line}: package.json has no script ${words[2]}`);
    execFileSync('/bin/sh', ['-c', script], {
      cwd,
      env: { ...env, PATH: `${path.join(cwd, 'node_modules/.bin')}:${env.PATH}` },
      stdio: 'pipe',
    });
  } else if (command === 'npm pkg delete devDependencies') {
    const file = path.join(cwd, 'package.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete manifest.devDependencies;
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  } else if (command === 'npm prune --omit=dev') {
    const manifest = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { devDependencies?: object };
    if (manifest.devDependencies && Object.keys(manifest.devDependencies).length > 0) {
      throw new Error(
        `Dockerfile line ${context.line}: npm prune --omit=dev with devDependencies still in package.json keeps prisma, ` +
          'typescript and what they pull in (optional peers of @prisma/client); run `npm pkg delete devDependencies` first.',
      );
    }
    const modules = path.join(cwd, 'node_modules');
    const source = lstatSync(modules).isSymbolicLink() ? path.join(repo, 'node_modules') : modules;
    const packages = topLevel(productionTree(cwd));
    const pruned = `${modules}.pruned`;
    for (const lockPath of packages) hardLinkCopy(path.join(source, lockPath.slice('node_modules/'.length)), path.join(pruned, lockPath.slice('node_modules/'.length)));
    rmSync(modules, { recursive: true, force: true });
    execFileSync('mv', [pruned, modules]);
  } else if (words[0] === 'mkdir' && words[1] === '-p') {
    for (const target of words.slice(2)) mkdirSync(context.inStage(target), { recursive: true });
  } else if (words[0] === 'chown' && words.length === 3) {
    context.owners[path.posix.resolve('/', words[2]!)] = words[1]!;
  } else {
    throw new Error(`Dockerfile line ${context.line}: test/container cannot run "${command}" here; teach emulate-image.ts`);
  }
}
