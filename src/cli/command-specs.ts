/**
 * What each command accepts, in one table that both the parser and the help read, so `--help` can
 * never describe an option the parser does not know (or miss one it does). Defaults are written
 * where the option is described, because a user reads them there.
 */
export interface OptionSpec {
  name: string;
  type: 'string' | 'boolean';
  /** The placeholder in the help (`--repo REPO`). */
  value?: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec[];
  example: string;
  /** Lines printed after the options: what the command does that its options do not say. */
  notes?: string[];
}

const PROVIDER_HELP = 'github, gitlab or bitbucket';
const REPO_HELP = 'owner/name (github), group/sub/name or a numeric project id (gitlab), workspace/repo (bitbucket)';
const API_URL_HELP =
  "the host's API. Default: the connection's, else GITHUB_API_URL (https://api.github.com), GITLAB_URL (https://gitlab.com, or your instance) or BITBUCKET_API_URL (https://api.bitbucket.org/2.0)";
const json = (what: string): OptionSpec => ({ name: 'json', type: 'boolean', help: what });

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'serve',
    summary: 'run the service: GitHub App webhooks, HTTP API and sync jobs (npm start)',
    usage: 'issue-sync serve',
    options: [],
    example: 'PORT=3000 issue-sync serve',
    notes: ['Stops cleanly on Ctrl-C. Without DATABASE_URL it runs an embedded PostgreSQL in ISSUE_SYNC_DATA_DIR (./.data).'],
  },
  {
    name: 'sync',
    summary: 'sync one repository into the database, once, with a progress bar',
    usage:
      'issue-sync sync --provider github|gitlab|bitbucket --repo REPO [--token T] [--api-url URL] [--type issues|security|all] [--include-closed --confirm] [--project SLUG] [--json]',
    options: [
      { name: 'provider', type: 'string', value: 'P', help: `required: ${PROVIDER_HELP}` },
      { name: 'repo', type: 'string', value: 'REPO', help: `required: ${REPO_HELP}` },
      {
        name: 'token',
        type: 'string',
        value: 'T',
        help: 'a token that can read the issues and security alerts (GitLab: read_api; Bitbucket: email:api-token, or an access token). Default: the one "repos add" stored, else none (public repositories only)',
      },
      { name: 'api-url', type: 'string', value: 'URL', help: API_URL_HELP },
      {
        name: 'type',
        type: 'string',
        value: 'issues|security|all',
        help: 'issues, security alerts (GitHub Dependabot, GitLab Ultimate vulnerabilities, Bitbucket Code Insights findings), or both. Default: issues',
      },
      { name: 'include-closed', type: 'boolean', help: 'closed issues too (the default is open ones only); needs --confirm' },
      { name: 'confirm', type: 'boolean', help: 'confirms --include-closed' },
      {
        name: 'project',
        type: 'string',
        value: 'SLUG',
        help: 'the project to sync into. Default: the project that already holds the repository (the GitHub App\'s, a "repos add"), else "default"',
      },
      json('print one JSON object at the end instead of the summary'),
    ],
    example: 'issue-sync sync --provider github --repo octocat/Hello-World --token "$GITHUB_TOKEN"',
    notes: [
      'An interrupted sync (Ctrl-C, a failure) continues from where it stopped when run again with the same options.',
      'Bitbucket Cloud removed its issue tracker on 2026-08-20: a Bitbucket issues sync ends saying so; use --type security for its findings.',
    ],
  },
  {
    name: 'issues list',
    summary: 'the stored issues of a project, one line each, sorted by repository and number',
    usage: 'issue-sync issues list [--project SLUG] [--repo REPO] [--json]',
    options: [
      {
        name: 'project',
        type: 'string',
        value: 'SLUG',
        help: 'Default: the only project, or the one project that holds --repo ("projects list" shows them)',
      },
      { name: 'repo', type: 'string', value: 'REPO', help: 'only this repository (its path at the host). Default: all of the project' },
      json('a JSON array instead of lines'),
    ],
    example: 'issue-sync issues list --repo octocat/Hello-World',
  },
  {
    name: 'projects list',
    summary: 'the projects with their ids and how many repositories and issues each holds',
    usage: 'issue-sync projects list [--json]',
    options: [json('a JSON array instead of a table')],
    example: 'issue-sync projects list',
    notes: [
      'A project is created by "sync" (default: "default"), "repos add", "users add", or the GitHub App (named after the account it is installed on).',
    ],
  },
  {
    name: 'repos list',
    summary: 'connected repositories with their ids, project, webhook health and last sync',
    usage: 'issue-sync repos list [--project SLUG] [--json]',
    options: [
      { name: 'project', type: 'string', value: 'SLUG', help: 'only this project\'s repositories. Default: every project' },
      json('a JSON array instead of a table'),
    ],
    example: 'issue-sync repos list --project default',
    notes: [
      'Webhook health: active = webhooks arrive; stale = changes came that no webhook delivered (caught up by itself: a backfill for GitHub, the next poll for GitLab and Bitbucket); inactive = no working webhook (never delivered, or disabled at the host): changes are found by checks and polls instead.',
    ],
  },
  {
    name: 'repos add',
    summary: 'connect a repository to a project with a token (stored encrypted) and print its id',
    usage: 'issue-sync repos add --project SLUG --provider P --repo REPO --token T [--api-url URL]',
    options: [
      { name: 'project', type: 'string', value: 'SLUG', help: 'required: the project to connect it to (created when missing)' },
      { name: 'provider', type: 'string', value: 'P', help: `required: ${PROVIDER_HELP}` },
      { name: 'repo', type: 'string', value: 'REPO', help: `required: ${REPO_HELP}` },
      { name: 'token', type: 'string', value: 'T', help: 'required: checked against the host now, then stored encrypted for later syncs' },
      { name: 'api-url', type: 'string', value: 'URL', help: API_URL_HELP },
    ],
    example: 'issue-sync repos add --project acme --provider gitlab --repo acme/backend/api --token "$GITLAB_TOKEN"',
    notes: [
      'The service polls connected GitLab and Bitbucket repositories every POLL_INTERVAL_S (300) seconds, so changes arrive even without webhooks.',
    ],
  },
  {
    name: 'users add',
    summary: 'create a user with a role in a project and print their API token once',
    usage: 'issue-sync users add --project SLUG --name NAME --role admin|member|viewer',
    options: [
      { name: 'project', type: 'string', value: 'SLUG', help: 'required: the project (created when missing, and the output says so)' },
      { name: 'name', type: 'string', value: 'NAME', help: 'required: who the user is, as people know them' },
      {
        name: 'role',
        type: 'string',
        value: 'admin|member|viewer',
        help: 'required: admin (everything, connects repositories), member (reads and syncs), viewer (reads)',
      },
    ],
    example: 'issue-sync users add --project default --name "Ada Lovelace" --role admin',
    notes: ['Send the token as "Authorization: Bearer TOKEN" to the HTTP API; only its hash is stored.'],
  },
  {
    name: 'migrate',
    summary: 'apply database migrations and exit',
    usage: 'issue-sync migrate',
    options: [],
    example: 'DATABASE_URL=postgresql://localhost/issue_sync issue-sync migrate',
  },
  {
    name: 'doctor',
    summary: 'check configuration, database, hosts and webhook health, and say what to fix',
    usage: 'issue-sync doctor',
    options: [],
    example: 'issue-sync doctor',
  },
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((spec) => spec.name === name);
}

/** The commands that take a second word (`repos add`, `repos list`), by their first. */
export function subcommandsOf(group: string): string[] {
  return COMMANDS.filter((spec) => spec.name.startsWith(`${group} `)).map((spec) => spec.name.slice(group.length + 1));
}
