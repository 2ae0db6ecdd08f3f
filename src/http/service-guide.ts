/**
 * What someone who uses the service from a script or a terminal needs to know: that it runs, where
 * the dashboard is, and how to use the CLI, the HTTP API and the health routes. One list of facts,
 * shown as JSON by the `/` route (`Accept: application/json`) and as the `/guide` page.
 */

export interface GuideEntry {
  /** A command line or `METHOD /path`. */
  usage: string;
  what: string;
}

export interface ServiceGuide {
  service: 'issue-sync';
  status: 'running';
  dashboard: { available: boolean; url: string | null; message: string };
  gettingStarted: GuideEntry[];
  authentication: string;
  cli: GuideEntry[];
  api: GuideEntry[];
  health: GuideEntry[];
}

/** `dashboard`: this server serves the dashboard (it does whenever it serves the HTTP API). */
export function serviceGuide(origin: string, options: { dashboard: boolean }): ServiceGuide {
  return {
    service: 'issue-sync',
    status: 'running',
    dashboard: options.dashboard
      ? {
          available: true,
          url: `${origin}/`,
          message: `The dashboard is at ${origin}/: sign in there with an API token (or ADMIN_TOKEN) to see repositories, start and follow syncs, and link issues.`,
        }
      : {
          available: false,
          url: null,
          message: 'This server runs without the HTTP API, so it serves no dashboard; use the command line.',
        },
    gettingStarted: [
      { usage: 'issue-sync users add --project SLUG --name NAME --role member', what: 'prints an API token, once' },
      { usage: `curl -H "Authorization: Bearer TOKEN" ${origin}/api/projects`, what: 'your projects and their links' },
      { usage: `curl -H "Authorization: Bearer TOKEN" ${origin}/api/projects/SLUG/repositories`, what: 'a project\'s repositories' },
    ],
    authentication:
      'Every /api route except the webhooks needs "Authorization: Bearer TOKEN": a token printed by issue-sync users add, or ADMIN_TOKEN.',
    cli: [
      { usage: 'issue-sync users add --project SLUG --name NAME --role admin|member|viewer', what: 'creates a user and prints its API token once' },
      { usage: 'issue-sync projects list', what: 'the projects with their ids and how many repositories and issues each holds' },
      { usage: 'issue-sync repos list [--project SLUG]', what: 'connected repositories with their ids, webhook health and last sync' },
      {
        usage: 'issue-sync repos add --project SLUG --provider github|gitlab|bitbucket --repo REPO --token T',
        what: 'connects a repository (GitLab and Bitbucket ones are then polled) and prints its id',
      },
      { usage: 'issue-sync sync --provider github|gitlab|bitbucket --repo REPO', what: 'syncs one repository now, with a progress bar' },
      { usage: 'issue-sync issues list [--project SLUG] [--repo REPO] [--json]', what: 'the stored issues' },
      { usage: 'issue-sync doctor', what: 'checks configuration, database and hosts, and says what is wrong' },
      { usage: 'issue-sync --help', what: 'every command and option' },
    ],
    api: [
      { usage: 'GET /api/projects', what: 'your projects, your role in each and where their repositories are listed' },
      { usage: 'GET /api/projects/SLUG/repositories', what: 'repositories with their ids, webhook health and last sync' },
      { usage: 'POST /api/projects/SLUG/repositories', what: 'connects a repository: {"provider","repo","token"} (admin)' },
      {
        usage: 'POST /api/projects/SLUG/repositories/REPOSITORY/sync',
        what: 'starts a sync: {"syncType":"issues"|"security"|"all"}; REPOSITORY is the id or the path, like acme%2Fdemo (member)',
      },
      { usage: 'GET /api/sync-operations/ID', what: 'a sync\'s status, progress and results' },
      { usage: 'POST /api/sync-operations/ID/cancel', what: 'cancels a pending or running sync (member)' },
      { usage: 'GET /api/projects/SLUG/issues', what: 'stored issues; filters repository, kind, state, q; cursor pages' },
      {
        usage: 'POST /api/projects/SLUG/issues/ISSUE/link',
        what: 'links a stored issue to one at the host: {"url"} or {"repositoryId","externalIssueId"} (member)',
      },
      { usage: 'DELETE /api/projects/SLUG/issues/ISSUE/link', what: 'unlinks it (member)' },
      { usage: 'POST /api/admin/backfill', what: 'syncs every repository, or {"repositoryIds"} (ADMIN_TOKEN or project admin)' },
      { usage: 'POST /api/github/webhooks', what: 'where the GitHub App delivers its webhooks' },
      { usage: 'POST /api/gitlab/webhooks', what: 'GitLab issue and comment webhooks (secret token: GITLAB_WEBHOOK_SECRET)' },
      { usage: 'POST /api/bitbucket/webhooks', what: 'Bitbucket push webhooks, which refresh security findings (secret: BITBUCKET_WEBHOOK_SECRET)' },
    ],
    health: [
      { usage: 'GET /healthz', what: 'the process is up' },
      { usage: 'GET /readyz', what: 'the database answers' },
    ],
  };
}
