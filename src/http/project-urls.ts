/**
 * Where a project's listings are, for answers that point a caller at them (the projects listing,
 * errors that need an id from one). Slugs may hold any character but `/`, so they are encoded.
 */
export function repositoriesUrlOf(projectSlug: string): string {
  return `/api/projects/${encodeURIComponent(projectSlug)}/repositories`;
}

export function issuesUrlOf(projectSlug: string): string {
  return `/api/projects/${encodeURIComponent(projectSlug)}/issues`;
}
