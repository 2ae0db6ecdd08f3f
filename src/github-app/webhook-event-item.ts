/**
 * The item a live issue, comment or Dependabot event is about: the one its payload carries when we
 * can store it as it is, else the one the API has (pinned and unpinned issues come without their
 * state, for one). Null for a pull request, or when the API cannot give it for good (logged).
 */
import type { ExternalIssue } from '../domain/items.js';
import { fetchEventItem, type EventItemTarget, type FetchEventItemDeps } from './fetch-event-item.js';
import { webhookUsableItem } from './webhook-usable-item.js';

export async function webhookEventItem(
  raw: unknown,
  target: EventItemTarget,
  deps: FetchEventItemDeps,
): Promise<ExternalIssue | null> {
  const carried = webhookUsableItem(target.kind, raw, target.repositoryUrl);
  if (carried.status === 'usable') return carried.item;
  if (carried.status === 'pull_request') return null;
  deps.log.info({ problem: carried.problem }, 'payload lacks what we store; reading the item from GitHub');
  return fetchEventItem(deps, target);
}
