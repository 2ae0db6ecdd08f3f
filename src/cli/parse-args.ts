/**
 * Turns argv into a validated command. Every mistake becomes a UsageError with one line that says
 * what is wrong and how to put it right (the CLI prints it and exits 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { PROVIDER_KINDS } from '../domain/items.js';
import { UsageError } from '../errors.js';
import { normalizeRepository } from '../providers/index.js';
import { COMMANDS, commandSpec, subcommandsOf, type CommandSpec } from './command-specs.js';
import { commandHelp, generalHelp, groupHelp } from './help-texts.js';
import { nearestName } from './nearest-name.js';
import { oneLine } from './one-line.js';
import { hasNoCredentials, URL_CREDENTIALS_MESSAGE } from '../domain/url-credentials.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const providerSchema = z.enum(PROVIDER_KINDS, {
  error: (issue) => `--provider must be ${PROVIDER_KINDS.join(', ').replace(/, ([^,]*)$/, ' or $1')} (got "${String(issue.input)}")`,
});
const slugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, '--project must be a slug: lower-case letters, digits and dashes');
const apiUrlSchema = z
  .url({ protocol: /^https?$/, error: '--api-url must be an http(s) URL' })
  .refine(hasNoCredentials, `--api-url ${URL_CREDENTIALS_MESSAGE} (--token)`);
/** A person's name is shown in one line of listings and pages: no line breaks or control characters. */
const userNameSchema = z
  .string()
  .max(200, '--name must be at most 200 characters')
  .regex(/^[^\p{Cc}\u2028\u2029]*$/u, '--name must be one line without control characters');
/** No token holds a space, a line break or a control character; one that does was copied with what surrounds it. The message never repeats it. */
const tokenSchema = z
  .string()
  .regex(/^[^\s\p{Cc}]*$/u, '--token holds a space, a line break or a control character: pass the token alone');

export type ProviderName = z.infer<typeof providerSchema>;

export function validateRepo(provider: ProviderName, repo: string): string {
  return normalizeRepository(provider, repo, '--repo');
}
export type Command =
  | { name: 'help'; text: string }
  | { name: 'serve' }
  | { name: 'migrate' }
  | { name: 'doctor' }
  | {
      name: 'sync';
      provider: ProviderName;
      repo: string;
      token: string | undefined;
      apiUrl: string | undefined;
      type: 'issues' | 'security' | 'all';
      includeClosed: boolean;
      /** Unset: the project already holding the repository, else DEFAULT_PROJECT (decided by the command). */
      project: string | undefined;
      json: boolean;
    }
  | { name: 'issues list'; project: string | undefined; repo: string | undefined; json: boolean }
  | { name: 'projects list'; json: boolean }
  | { name: 'repos list'; project: string | undefined; json: boolean }
  | { name: 'users add'; project: string; userName: string; role: 'admin' | 'member' | 'viewer' }
  | {
      name: 'repos add';
      project: string;
      provider: ProviderName;
      repo: string;
      token: string;
      apiUrl: string | undefined;
    };

export const DEFAULT_PROJECT = 'default';

const HELP_WORDS = new Set(['help', '--help', '-h']);

/** The options as the spec lists them, or `{ name: 'help' }` when --help was asked for. */
function parse(args: readonly string[], spec: CommandSpec): Record<string, string | boolean | undefined> {
  const options: Options = { help: { type: 'boolean', short: 'h' } };
  for (const option of spec.options) options[option.name] = { type: option.type };
  try {
    return parseArgs({ args: [...args], options, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError(explainParseError(error as Error & { code?: string }, spec));
  }
}

function explainParseError(error: Error & { code?: string }, spec: CommandSpec): string {
  const more = `run "issue-sync ${spec.name} --help" for its options`;
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const typed = /'([^']+)'/.exec(error.message)?.[1] ?? '';
    const known = spec.options.map((option) => `--${option.name}`);
    const guess = nearestName(typed.replace(/=.*$/, ''), known);
    return guess
      ? `Unknown option ${typed}; did you mean ${guess}?`
      : `Unknown option ${typed} for "issue-sync ${spec.name}"; ${more}.`;
  }
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const typed = /'([^']*)'/.exec(error.message)?.[1] ?? '';
    const asRepo = typed.includes('/') && spec.options.some((option) => option.name === 'repo');
    return asRepo
      ? `Unexpected argument "${typed}"; did you mean --repo ${typed}?`
      : `Unexpected argument "${typed}": "issue-sync ${spec.name}" takes options only; ${more}.`;
  }
  const message = error.message.split('\n')[0]!.replace(/\. To specify.*$/, '').replace(/\.$/, '');
  return `${message}. Usage: ${spec.usage}`;
}

function required(values: Record<string, unknown>, name: string, spec: CommandSpec): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(`--${name} is required. Usage: ${spec.usage}`);
  }
  return value.trim();
}

function check<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
  return parsed.data;
}

function optionalString(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A repository's path at any host (`issues list --repo`): never a space, a line break or a control character. */
function optionalRepoPath(values: Record<string, unknown>): string | undefined {
  const repo = optionalString(values, 'repo');
  if (repo !== undefined && /[\s\p{Cc}]/u.test(repo)) {
    throw new UsageError(`--repo must be a repository's path, as owner/name or group/sub/name (got "${repo}")`);
  }
  return repo;
}

function optionalToken(values: Record<string, unknown>): string | undefined {
  const token = optionalString(values, 'token');
  return token === undefined ? undefined : check(tokenSchema, token);
}

function optionalSlug(values: Record<string, unknown>): string | undefined {
  const project = optionalString(values, 'project');
  return project === undefined ? undefined : check(slugSchema, project);
}

const GROUPS = [...new Set(COMMANDS.filter((spec) => spec.name.includes(' ')).map((spec) => spec.name.split(' ')[0]!))];

/** Which command argv names, and the arguments after its name. Help and typos end here. */
function resolveCommand(argv: readonly string[]): { spec: CommandSpec; args: readonly string[] } | { help: string } {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') return { help: generalHelp() };
  if (first === 'help') {
    if (rest.length === 0) return { help: generalHelp() };
    const resolved = resolveCommand([...rest, '--help']);
    return 'help' in resolved ? resolved : { help: commandHelp(resolved.spec) };
  }
  if (GROUPS.includes(first)) {
    const [second, ...args] = rest;
    const subcommands = subcommandsOf(first);
    if (second === undefined || HELP_WORDS.has(second)) {
      if (second !== undefined) return { help: groupHelp(first) };
      throw new UsageError(
        `"issue-sync ${first}" needs a command: ${subcommands.map((sub) => `${first} ${sub}`).join(' or ')}; run "issue-sync ${first} --help".`,
      );
    }
    const spec = commandSpec(`${first} ${second}`);
    if (spec) return { spec, args };
    const guess = nearestName(second, subcommands);
    throw new UsageError(
      `Unknown command "${first} ${second}"` +
        (guess ? `; did you mean "${first} ${guess}"?` : `; "${first}" has ${subcommands.map((sub) => `"${first} ${sub}"`).join(' and ')}.`) +
        ` Run "issue-sync ${first} --help".`,
    );
  }
  const spec = commandSpec(first);
  if (spec) return { spec, args: rest };
  const names = [...new Set(COMMANDS.map((command) => command.name.split(' ')[0]!))];
  const guess = nearestName(first, names);
  throw new UsageError(
    `Unknown command "${first}"${guess ? `; did you mean "${guess}"?` : '.'} Run "issue-sync --help" for the list of commands.`,
  );
}

/**
 * The command argv names, validated. A refusal is one line even when it quotes an argument that
 * holds a newline or a control character (shown escaped, never sent to the terminal).
 */
export function parseCommand(argv: readonly string[]): Command {
  try {
    return parseValidCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(oneLine(error.message), { cause: error.cause });
    throw error;
  }
}

function parseValidCommand(argv: readonly string[]): Command {
  const resolved = resolveCommand(argv);
  if ('help' in resolved) return { name: 'help', text: resolved.help };
  const { spec, args } = resolved;
  const values = parse(args, spec);
  if (values.help) return { name: 'help', text: commandHelp(spec) };

  switch (spec.name) {
    case 'serve':
    case 'migrate':
    case 'doctor':
      return { name: spec.name };
    case 'sync': {
      const provider = check(providerSchema, required(values, 'provider', spec));
      const repo = validateRepo(provider, required(values, 'repo', spec));
      const type = check(
        z.enum(['issues', 'security', 'all'], {
          error: (issue) => `--type must be issues, security or all (got "${String(issue.input)}")`,
        }),
        optionalString(values, 'type') ?? 'issues',
      );
      const includeClosed = values['include-closed'] === true;
      if (includeClosed && values.confirm !== true) {
        throw new UsageError(
          'Including closed issues imports every closed issue too and needs confirmation: add --confirm.',
        );
      }
      const apiUrl = optionalString(values, 'api-url');
      return {
        name: 'sync',
        provider,
        repo,
        token: optionalToken(values),
        apiUrl: apiUrl === undefined ? undefined : check(apiUrlSchema, apiUrl),
        type,
        includeClosed,
        project: optionalSlug(values),
        json: values.json === true,
      };
    }
    case 'issues list':
      return { name: 'issues list', project: optionalSlug(values), repo: optionalRepoPath(values), json: values.json === true };
    case 'projects list':
      return { name: 'projects list', json: values.json === true };
    case 'repos list':
      return { name: 'repos list', project: optionalSlug(values), json: values.json === true };
    case 'users add':
      return {
        name: 'users add',
        project: check(slugSchema, required(values, 'project', spec)),
        userName: check(userNameSchema, required(values, 'name', spec)),
        role: check(
          z.enum(['admin', 'member', 'viewer'], {
            error: (issue) => `--role must be admin, member or viewer (got "${String(issue.input)}")`,
          }),
          required(values, 'role', spec),
        ),
      };
    case 'repos add': {
      const provider = check(providerSchema, required(values, 'provider', spec));
      const apiUrl = optionalString(values, 'api-url');
      return {
        name: 'repos add',
        project: check(slugSchema, required(values, 'project', spec)),
        provider,
        repo: validateRepo(provider, required(values, 'repo', spec)),
        token: check(tokenSchema, required(values, 'token', spec)),
        apiUrl: apiUrl === undefined ? undefined : check(apiUrlSchema, apiUrl),
      };
    }
    default:
      throw new UsageError(`Unknown command "${spec.name}". Run "issue-sync --help" for the list of commands.`);
  }
}
