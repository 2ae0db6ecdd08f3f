/**
 * Webhook payloads with GitHub's real shapes: the examples of @octokit/webhooks-examples, adapted
 * (installation, repository, issue fields) instead of invented.
 *
 *   issuesEvent('edited', repo, { number: 1, title: 'New title', updated_at: '2024-05-01T00:00:00Z' })
 */
import { createRequire } from 'node:module';

type Json = Record<string, unknown>;

interface Definition {
  name: string;
  examples: Json[];
}

const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as Definition[];

export const INSTALLATION_ID = 957387;
export const ACCOUNT = 'Codertocat';

export interface RepositoryFixture {
  id: number;
  /** `owner/name`. */
  fullName: string;
}

/** A deep copy of the first example of `event` with this action (and, if given, matching `pick`). */
export function webhookExample(event: string, action: string | undefined, pick: (example: Json) => boolean = () => true): Json {
  const found = definitions
    .find((definition) => definition.name === event)
    ?.examples.find((example) => example.action === action && pick(example));
  if (!found) throw new Error(`No ${event}.${action ?? ''} example in @octokit/webhooks-examples.`);
  return structuredClone(found);
}

/** `base` with `patch` merged in: objects recursively, everything else (arrays too) replaced. */
export function merge(base: Json, patch: Json): Json {
  const result: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = result[key];
    result[key] = isObject(value) && isObject(current) ? merge(current, value) : value;
  }
  return result;
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function repositoryFields(repo: RepositoryFixture): Json {
  const [owner, name] = repo.fullName.split('/');
  return {
    id: repo.id,
    name,
    full_name: repo.fullName,
    html_url: `https://github.com/${repo.fullName}`,
    url: `https://api.github.com/repos/${repo.fullName}`,
    owner: { login: owner },
  };
}

const installationRef = (installationId: number) => ({ id: installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${installationId}` });

function listed(repositories: readonly RepositoryFixture[]): Json[] {
  return repositories.map((repo) => ({
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.fullName.split('/')[1],
    full_name: repo.fullName,
    private: false,
  }));
}

export function installationEvent(
  action: 'created' | 'deleted' | 'suspend' | 'unsuspend',
  options: { installationId?: number; repositories?: readonly RepositoryFixture[]; account?: string } = {},
): Json {
  const base = webhookExample('installation', action);
  const installation = merge(base.installation as Json, {
    id: options.installationId ?? INSTALLATION_ID,
    account: { login: options.account ?? ACCOUNT, html_url: `https://github.com/${options.account ?? ACCOUNT}` },
  });
  return {
    ...base,
    installation,
    ...(options.repositories ? { repositories: listed(options.repositories) } : {}),
  };
}

export function installationRepositoriesEvent(
  action: 'added' | 'removed',
  options: { installationId?: number; added?: readonly RepositoryFixture[]; removed?: readonly RepositoryFixture[] },
): Json {
  const base = webhookExample('installation_repositories', action);
  return {
    ...base,
    installation: merge(base.installation as Json, {
      id: options.installationId ?? INSTALLATION_ID,
      account: { login: ACCOUNT, html_url: `https://github.com/${ACCOUNT}` },
    }),
    repositories_added: listed(options.added ?? []),
    repositories_removed: listed(options.removed ?? []),
  };
}

export function repositoryEvent(action: 'renamed' | 'transferred', repo: RepositoryFixture, installationId = INSTALLATION_ID): Json {
  const base = webhookExample('repository', action, (example) => 'installation' in example);
  return { ...base, repository: merge(base.repository as Json, repositoryFields(repo)), installation: installationRef(installationId) };
}

/** An `issues` event; `issue` fields replace the example's (the example's `issues.edited` is #1 of Hello-World). */
export function issuesEvent(action: string, repo: RepositoryFixture, issue: Json, extra: Json = {}): Json {
  const base = webhookExample('issues', action);
  const number = issue.number ?? 1;
  return merge(
    {
      ...base,
      issue: merge(base.issue as Json, {
        html_url: `https://github.com/${repo.fullName}/issues/${String(number)}`,
        url: `https://api.github.com/repos/${repo.fullName}/issues/${String(number)}`,
        ...issue,
      }),
      repository: merge(base.repository as Json, repositoryFields(repo)),
      installation: installationRef(INSTALLATION_ID),
    },
    extra,
  );
}

export function issueCommentEvent(action: string, repo: RepositoryFixture, issue: Json): Json {
  const base = webhookExample('issue_comment', action);
  return {
    ...base,
    issue: merge(base.issue as Json, {
      html_url: `https://github.com/${repo.fullName}/issues/${String(issue.number ?? 1)}`,
      ...issue,
    }),
    repository: merge(base.repository as Json, repositoryFields(repo)),
    installation: installationRef(INSTALLATION_ID),
  };
}

export function dependabotAlertEvent(action: 'created' | 'fixed', repo: RepositoryFixture, alert: Json): Json {
  const base = webhookExample('dependabot_alert', action);
  const number = alert.number ?? (base.alert as Json).number;
  return {
    ...base,
    alert: merge(base.alert as Json, {
      html_url: `https://github.com/${repo.fullName}/security/dependabot/${String(number)}`,
      url: `https://api.github.com/repos/${repo.fullName}/dependabot/alerts/${String(number)}`,
      ...alert,
    }),
    repository: merge(base.repository as Json, repositoryFields(repo)),
    installation: installationRef(INSTALLATION_ID),
  };
}

export function pingEvent(): Json {
  return webhookExample('ping', undefined);
}
