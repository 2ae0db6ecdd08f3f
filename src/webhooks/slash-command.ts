/**
 * Finds the `/sync` command in a comment (a GitHub issue or pull request comment, later a GitLab
 * note). Pure: no I/O, so every host's adapter shares it.
 *
 * The command is the first line that starts with `/sync` (up to three spaces of indentation, the
 * command word in any case). Lines inside fenced or indented code blocks, block quotes and HTML
 * comments are not commands: quoting someone's `/sync` or showing one in an example never runs it.
 *
 *   /sync [issues | alerts | all] [--closed [--confirm]]
 *   /sync status
 *   /sync help
 */
import type { SyncType } from '../store/issue-store.js';

export type SlashCommand =
  | { kind: 'sync'; syncType: SyncType; includeClosed: boolean; confirmed: boolean }
  | { kind: 'status' }
  | { kind: 'help' }
  /** A `/sync` line the grammar does not allow; `message` says what is wrong, for the usage reply. */
  | { kind: 'invalid'; message: string };

const SYNC_TYPES = new Map<string, SyncType>([
  ['issues', 'issues'],
  ['alerts', 'security'],
  ['security', 'security'],
  ['all', 'all'],
]);

const FLAGS = new Set(['--closed', '--confirm']);

/** The command in `body`, or null when it holds none. */
export function parseSlashCommand(body: string): SlashCommand | null {
  const line = findCommandLine(body);
  return line === null ? null : parseCommandLine(line);
}

function findCommandLine(body: string): string | null {
  let fence: { char: string; length: number } | null = null;
  let inHtmlComment = false;
  for (const raw of body.split(/\r\n|\r|\n/)) {
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(raw);
      if (close?.[1] && close[1][0] === fence.char && close[1].length >= fence.length) fence = null;
      continue;
    }
    let line = raw;
    if (inHtmlComment) {
      const end = line.indexOf('-->');
      if (end === -1) continue;
      inHtmlComment = false;
      line = line.slice(end + 3);
    }
    line = line.replace(/<!--.*?-->/g, '');
    const open = line.indexOf('<!--');
    if (open !== -1) {
      inHtmlComment = true;
      line = line.slice(0, open);
    }
    // A backtick fence's info string holds no backtick (```x``` is inline code, not a fence).
    const opening = /^ {0,3}(`{3,}(?=[^`]*$)|~{3,})/.exec(line);
    if (opening?.[1]) {
      fence = { char: opening[1][0]!, length: opening[1].length };
      continue;
    }
    // Four columns of indentation is an indented code block; `>` starts a quote.
    if (/^( {4}|\t)/.test(line) || /^ {0,3}>/.test(line)) continue;
    const trimmed = line.trim();
    if (/^\/sync(?=\s|$)/i.test(trimmed)) return trimmed;
  }
  return null;
}

function parseCommandLine(line: string): SlashCommand {
  // Editors and phones turn `--` into a dash; read `—closed` as `--closed`.
  const words = line
    .split(/\s+/)
    .slice(1)
    .map((word) => word.toLowerCase().replace(/^[\u2013\u2014]/, '--'));
  const flags = new Set<string>();
  const verbs: string[] = [];
  for (const word of words) {
    if (FLAGS.has(word)) flags.add(word);
    else if (word.startsWith('-')) return invalid(`Unknown option \`${word}\`.`);
    else if (SYNC_TYPES.has(word) || word === 'status' || word === 'help') verbs.push(word);
    else return invalid(`Unknown word \`${word}\`.`);
  }
  if (verbs.length > 1) return invalid('Use one of `issues`, `alerts`, `all`, `status` or `help`, not several.');
  const verb = verbs[0] ?? 'issues';
  if (verb === 'status' || verb === 'help') {
    if (flags.size > 0) return invalid(`\`/sync ${verb}\` takes no options.`);
    return { kind: verb };
  }
  return {
    kind: 'sync',
    syncType: SYNC_TYPES.get(verb)!,
    includeClosed: flags.has('--closed'),
    confirmed: flags.has('--confirm'),
  };
}

function invalid(message: string): SlashCommand {
  return { kind: 'invalid', message };
}
