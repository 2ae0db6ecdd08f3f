/**
 * Turns argv into a validated command. Every mistake becomes a UsageError with one line that says
 * what is wrong and how to put it right (the CLI prints it and exits 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { UsageError } from '../errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export const HELP = `issue-sync: keeps a project's issue tracker in step with GitHub, GitLab and Bitbucket.

Usage:
  issue-sync serve                      run the service (webhooks, HTTP API, dashboard, jobs)
  issue-sync sync --provider github|gitlab|bitbucket --repo REPO [--token T] [--api-url URL]
                  [--type issues|security|all] [--include-closed --confirm] [--project SLUG] [--json]
  issue-sync issues list [--project SLUG] [--repo REPO] [--json]
  issue-sync users add --project SLUG --name NAME --role admin|member|viewer
  issue-sync repos add --project SLUG --provider P --repo REPO --token T [--api-url URL]
  issue-sync migrate                    apply database migrations and exit
  issue-sync doctor                     check configuration, database and providers

REPO is owner/name (GitHub), group/sub/name or a numeric id (GitLab), workspace/repo (Bitbucket).
Exit codes: 0 success, 1 the work failed, 2 bad arguments.`;

const providerSchema = z.enum(['github', 'gitlab', 'bitbucket'], {
  error: (issue) => `--provider must be github, gitlab or bitbucket (got "${String(issue.input)}")`,
});
const slugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, '--project must be a slug: lower-case letters, digits and dashes');
const apiUrlSchema = z.url({ protocol: /^https?$/, error: '--api-url must be an http(s) URL' });

export type ProviderName = z.infer<typeof providerSchema>;

export function validateRepo(provider: ProviderName, repo: string): string {
  const trimmed = repo.trim().replace(/^\/+|\/+$/g, '');
  const ok =
    provider === 'github'
      ? /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(trimmed)
      : provider === 'gitlab'
        ? /^\d+$/.test(trimmed) || /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(trimmed)
        : /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(trimmed);
  if (!ok) {
    const shape =
      provider === 'github'
        ? 'owner/name'
        : provider === 'gitlab'
          ? 'group/sub/name or a numeric project id'
          : 'workspace/repo';
    throw new UsageError(`--repo for ${provider} must look like ${shape} (got "${repo}")`);
  }
  return trimmed;
}

export type Command =
  | { name: 'help' }
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
      project: string;
      json: boolean;
    }
  | { name: 'issues list'; project: string; repo: string | undefined; json: boolean }
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

function parse(args: string[], options: Options, usage: string) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true })
      .values as Record<string, string | boolean | undefined>;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '');
    throw new UsageError(`${message}. Usage: ${usage}`);
  }
}

function required(values: Record<string, unknown>, name: string, usage: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(`--${name} is required. Usage: ${usage}`);
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

export function parseCommand(argv: readonly string[]): Command {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') return { name: 'help' };

  switch (first) {
    case 'serve':
    case 'migrate':
    case 'doctor': {
      const values = parse(argv.slice(1), {}, `issue-sync ${first}`);
      return values.help ? { name: 'help' } : { name: first };
    }
    case 'sync': {
      const usage =
        'issue-sync sync --provider github|gitlab|bitbucket --repo REPO [--token T] [--api-url URL] [--type issues|security|all] [--include-closed --confirm] [--project SLUG] [--json]';
      const values = parse(
        argv.slice(1),
        {
          provider: { type: 'string' },
          repo: { type: 'string' },
          token: { type: 'string' },
          'api-url': { type: 'string' },
          type: { type: 'string' },
          'include-closed': { type: 'boolean' },
          confirm: { type: 'boolean' },
          project: { type: 'string' },
          json: { type: 'boolean' },
        },
        usage,
      );
      if (values.help) return { name: 'help' };
      const provider = check(providerSchema, required(values, 'provider', usage));
      const repo = validateRepo(provider, required(values, 'repo', usage));
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
        token: optionalString(values, 'token'),
        apiUrl: apiUrl === undefined ? undefined : check(apiUrlSchema, apiUrl),
        type,
        includeClosed,
        project: check(slugSchema, optionalString(values, 'project') ?? DEFAULT_PROJECT),
        json: values.json === true,
      };
    }
    case 'issues': {
      const usage = 'issue-sync issues list [--project SLUG] [--repo REPO] [--json]';
      if (second !== 'list') throw new UsageError(`Unknown command "issues ${second ?? ''}". Usage: ${usage}`);
      const values = parse(rest, { project: { type: 'string' }, repo: { type: 'string' }, json: { type: 'boolean' } }, usage);
      if (values.help) return { name: 'help' };
      return {
        name: 'issues list',
        project: check(slugSchema, optionalString(values, 'project') ?? DEFAULT_PROJECT),
        repo: optionalString(values, 'repo'),
        json: values.json === true,
      };
    }
    case 'users': {
      const usage = 'issue-sync users add --project SLUG --name NAME --role admin|member|viewer';
      if (second !== 'add') throw new UsageError(`Unknown command "users ${second ?? ''}". Usage: ${usage}`);
      const values = parse(rest, { project: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } }, usage);
      if (values.help) return { name: 'help' };
      return {
        name: 'users add',
        project: check(slugSchema, required(values, 'project', usage)),
        userName: check(
          z.string().max(200, '--name must be at most 200 characters'),
          required(values, 'name', usage),
        ),
        role: check(
          z.enum(['admin', 'member', 'viewer'], {
            error: (issue) => `--role must be admin, member or viewer (got "${String(issue.input)}")`,
          }),
          required(values, 'role', usage),
        ),
      };
    }
    case 'repos': {
      const usage = 'issue-sync repos add --project SLUG --provider P --repo REPO --token T [--api-url URL]';
      if (second !== 'add') throw new UsageError(`Unknown command "repos ${second ?? ''}". Usage: ${usage}`);
      const values = parse(
        rest,
        {
          project: { type: 'string' },
          provider: { type: 'string' },
          repo: { type: 'string' },
          token: { type: 'string' },
          'api-url': { type: 'string' },
        },
        usage,
      );
      if (values.help) return { name: 'help' };
      const provider = check(providerSchema, required(values, 'provider', usage));
      const apiUrl = optionalString(values, 'api-url');
      return {
        name: 'repos add',
        project: check(slugSchema, required(values, 'project', usage)),
        provider,
        repo: validateRepo(provider, required(values, 'repo', usage)),
        token: required(values, 'token', usage),
        apiUrl: apiUrl === undefined ? undefined : check(apiUrlSchema, apiUrl),
      };
    }
    default:
      throw new UsageError(`Unknown command "${first}". Run "issue-sync --help" for the list of commands.`);
  }
}
