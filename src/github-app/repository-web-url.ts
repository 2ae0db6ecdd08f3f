/**
 * The web URL of a GitHub repository (`https://github.com/owner/name`, or the GitHub Enterprise
 * Server host), which is part of every issue's externalId. Taken from the payload's `html_url` when
 * it has one; installation events list repositories without URLs, so then it is built from the
 * account's `html_url`, or else from GITHUB_API_URL.
 */
export function repositoryWebUrl(
  fullName: string,
  hints: { htmlUrl?: string | null | undefined; accountHtmlUrl?: string | null | undefined; apiUrl: string },
): string {
  const direct = httpUrl(hints.htmlUrl);
  if (direct) return direct.href.replace(/\/+$/, '');
  const account = httpUrl(hints.accountHtmlUrl);
  return `${account ? account.origin : gitHubWebUrl(hints.apiUrl)}/${fullName}`;
}

/** `https://api.github.com` → `https://github.com`; `https://HOST/api/v3` → `https://HOST`. */
export function gitHubWebUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  // GitHub Enterprise Cloud with data residency: api.SUBDOMAIN.ghe.com serves SUBDOMAIN.ghe.com.
  if (url.hostname.startsWith('api.') && url.hostname.endsWith('.ghe.com')) return `https://${url.hostname.slice(4)}`;
  return url.origin;
}

function httpUrl(value: string | null | undefined): URL | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}
