/**
 * The repository URL and issueId an item's web URL points at: `…/issues/12` → `12`,
 * `…/security/dependabot/3` → `alert-3` (GitHub); `…/-/issues/12` → `12`,
 * `…/-/security/vulnerabilities/7` → `vuln-7` (GitLab). A pull or merge request is `pull_request`;
 * anything else null.
 */
const PATTERNS: { pattern: RegExp; issueId: (number: string) => string }[] = [
  { pattern: /^(.+)\/-\/issues\/(\d{1,10})$/, issueId: (number) => number },
  { pattern: /^(.+)\/-\/security\/vulnerabilities\/(\d{1,20})$/, issueId: (number) => `vuln-${number}` },
  { pattern: /^(.+)\/issues\/(\d{1,10})$/, issueId: (number) => number },
  { pattern: /^(.+)\/security\/dependabot\/(\d{1,10})$/, issueId: (number) => `alert-${number}` },
];
const PULL_REQUEST = /^(.+?)(\/-)?\/(pull|merge_requests)\/\d+/;

export function parseItemUrl(value: string): { repositoryUrl: string; issueId: string } | 'pull_request' | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const path = url.pathname.replace(/\/+$/, '');
  for (const { pattern, issueId } of PATTERNS) {
    const match = pattern.exec(path);
    if (match) return { repositoryUrl: `${url.origin}${match[1]}`, issueId: issueId(match[2]!) };
  }
  return PULL_REQUEST.test(path) ? 'pull_request' : null;
}
