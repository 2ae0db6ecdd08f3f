/**
 * The 404 for an issue id that is not in the project: the ids are the stored issues' own (not the
 * host's issue numbers), and the issue listing shows them.
 */
import { HttpError } from './http-error.js';
import { issuesUrlOf } from './project-urls.js';

export function issueNotFound(projectSlug: string, issueId: string): HttpError {
  return new HttpError(
    404,
    'issue_not_found',
    `Project ${projectSlug} has no issue ${issueId}; GET ${issuesUrlOf(projectSlug)} lists them with their ids.`,
  );
}
