/**
 * The help screens: the general one lists every command; each command's own lists its options with
 * their defaults and one example. Both are built from command-specs.ts.
 */
import { COMMANDS, type CommandSpec } from './command-specs.js';

// Wide enough for the usage lines' options, narrow enough to read without a full-screen terminal.
const WIDTH = 100;

export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((spec) => spec.name.length)) + 2;
  return [
    "issue-sync: keeps a project's issues and security alerts in step with GitHub, GitLab and Bitbucket.",
    '',
    'Commands:',
    ...COMMANDS.map((spec) => `  issue-sync ${spec.name.padEnd(width)}${spec.summary}`),
    '',
    'Run "issue-sync COMMAND --help" for a command\'s options, defaults and an example (e.g. issue-sync sync --help).',
    'REPO is owner/name (GitHub), group/sub/name or a project id (GitLab), workspace/repo (Bitbucket).',
    'Exit codes: 0 success, 1 the work failed, 2 bad arguments.',
  ].join('\n');
}

export function commandHelp(spec: CommandSpec): string {
  const flags = spec.options.map((option) => `--${option.name}${option.value ? ` ${option.value}` : ''}`);
  const width = Math.max(10, ...flags.map((flag) => flag.length)) + 2;
  const options = spec.options.map((option, index) => wrap(`  ${flags[index]!.padEnd(width)}${option.help}`, width + 2));
  return [
    `issue-sync ${spec.name}: ${spec.summary}.`,
    '',
    `Usage: ${spec.usage}`,
    '',
    'Options:',
    ...options,
    `  ${'-h, --help'.padEnd(width)}this help`,
    ...(spec.notes ? ['', ...spec.notes.map((note) => wrap(note, 0))] : []),
    '',
    'Example:',
    `  ${spec.example}`,
  ].join('\n');
}

/** The help of every command in a group (`issue-sync repos --help`: repos list and repos add). */
export function groupHelp(group: string): string {
  return COMMANDS.filter((spec) => spec.name.startsWith(`${group} `))
    .map(commandHelp)
    .join('\n\n');
}

/** Breaks a line between words at WIDTH; continuation lines start at `indent` (under the help column). */
function wrap(line: string, indent: number): string {
  const lines: string[] = [];
  let rest = line;
  while (rest.length > WIDTH) {
    const cut = rest.lastIndexOf(' ', WIDTH);
    if (cut <= indent) break;
    lines.push(rest.slice(0, cut));
    rest = `${' '.repeat(indent)}${rest.slice(cut + 1)}`;
  }
  return [...lines, rest].join('\n');
}
