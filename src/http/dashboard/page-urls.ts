/**
 * Where the dashboard's pages are. Projects are named by their slug, encoded, as in the API.
 */
export function projectsPageUrl(): string {
  return '/dashboard/projects';
}

export function repositoriesPageUrl(projectSlug: string): string {
  return `/dashboard/projects/${encodeURIComponent(projectSlug)}`;
}

export function issuesPageUrl(projectSlug: string, query?: URLSearchParams): string {
  const search = query?.toString();
  return `/dashboard/projects/${encodeURIComponent(projectSlug)}/issues${search ? `?${search}` : ''}`;
}
