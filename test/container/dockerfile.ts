/**
 * Just enough of the Dockerfile and .dockerignore formats to check ours without a container engine:
 * instructions per stage (continuation lines joined, comments dropped), COPY's flags, sources and
 * destination, the JSON or shell form of ENTRYPOINT, CMD and HEALTHCHECK, and .dockerignore's
 * patterns (`*`, `**`, `?`, `!` exceptions; a folder that matches takes its contents with it).
 */

export interface Instruction {
  keyword: string;
  /** The arguments as written, continuation lines joined with a space. */
  args: string;
  line: number;
}

export interface Stage {
  base: string;
  name: string | null;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const first = index + 1;
    let logical = '';
    let line = lines[index]!;
    if (/^\s*(#|$)/.test(line)) continue;
    // A trailing backslash continues the instruction; comment lines inside it are dropped.
    while (/\\\s*$/.test(line)) {
      logical += `${line.replace(/\\\s*$/, '').trim()} `;
      index += 1;
      while (index < lines.length && /^\s*#/.test(lines[index]!)) index += 1;
      line = lines[index] ?? '';
    }
    logical += line.trim();
    const match = /^(\w+)\s+(.*)$/s.exec(logical.trim());
    if (!match) throw new Error(`Dockerfile line ${first}: cannot read "${logical}"`);
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.replace(/\s+/g, ' ').trim();
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile line ${first}: cannot read FROM ${args}`);
      stages.push({ base: from[1]!, name: from[2] ?? null, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile line ${first}: ${keyword} before any FROM`);
    stage.instructions.push({ keyword, args, line: first });
  }
  return stages;
}

/** The exec form (`["a", "b"]`) as its array; the shell form as `sh -c` would run it. */
export function commandOf(args: string): string[] {
  if (args.startsWith('[')) return JSON.parse(args) as string[];
  return ['/bin/sh', '-c', args];
}

export interface Copy {
  from: string | null;
  sources: string[];
  destination: string;
  line: number;
}

export function copyOf(instruction: Instruction): Copy {
  const words = instruction.args.startsWith('[')
    ? (JSON.parse(instruction.args) as string[])
    : instruction.args.split(' ');
  let from: string | null = null;
  const paths: string[] = [];
  for (const word of words) {
    const flag = /^--([a-z-]+)(?:=(.*))?$/.exec(word);
    if (flag && paths.length === 0) {
      if (flag[1] === 'from') from = flag[2] ?? null;
      continue;
    }
    paths.push(word);
  }
  if (paths.length < 2) throw new Error(`Dockerfile line ${instruction.line}: COPY needs a source and a destination`);
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1)!, line: instruction.line };
}

/** The HEALTHCHECK's options and command (`NONE` gives null). */
export function healthcheckOf(instruction: Instruction): { options: Record<string, string>; command: string[] } | null {
  if (instruction.args === 'NONE') return null;
  const options: Record<string, string> = {};
  let rest = instruction.args;
  for (let option = /^--([a-z-]+)=(\S+)\s+/.exec(rest); option; option = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    options[option[1]!] = option[2]!;
    rest = rest.slice(option[0].length);
  }
  const command = /^CMD\s+(.*)$/s.exec(rest);
  if (!command) throw new Error(`Dockerfile line ${instruction.line}: HEALTHCHECK without CMD`);
  return { options, command: commandOf(command[1]!) };
}

/** A .dockerignore: `ignored('src/generated/prisma/client.ts')` answers as the builder would. */
export function dockerignore(text: string): (relativePath: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const exception = line.startsWith('!');
      const pattern = (exception ? line.slice(1) : line).trim().replace(/^\.?\//, '').replace(/\/+$/, '');
      return { exception, regex: globRegex(pattern) };
    });
  return (relativePath) => {
    const parts = relativePath.replace(/^\.?\//, '').split('/');
    // The path and each folder above it: an excluded folder excludes what it holds.
    const candidates = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
    let ignored = false;
    for (const rule of rules) {
      if (candidates.some((candidate) => rule.regex.test(candidate))) ignored = !rule.exception;
    }
    return ignored;
  };
}

function globRegex(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '*' && pattern[index + 1] === '*') {
      // `**/` is any number of folders, none included; `**` elsewhere anything.
      source += pattern[index + 2] === '/' ? '(?:.*/)?' : '.*';
      index += pattern[index + 2] === '/' ? 2 : 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
