/**
 * Whether a note's author is a bot, so its /sync is ignored (contract: "bots are ignored") without a
 * single API call. GitLab's hook `user` has no type field in most versions, so the username decides:
 *
 * - project and group access tokens act as bot users named `project_<id>_bot_<hex>` and
 *   `group_<id>_bot_<hex>` (before 15.x: `project_<id>_bot` with an optional counter); a connection's
 *   own token is usually one of these, so our reply notes are never taken for commands either;
 * - service accounts are `service_account_<hex>` or `service_account_group_<id>_<hex>`;
 * - GitLab's internal users (`ghost`, `support-bot`, `alert-bot`, …) have fixed names.
 *
 * `bot: true`, where a version sends it, counts as well. A person whose username happens to fit one
 * of these narrow patterns is ignored too; that is the price of deciding without an API call.
 */
import type { HookUser } from './gitlab-webhook-schema.js';

const TOKEN_BOT = /^(project|group)_\d+_bot(_[0-9a-f]+|\d*)$/i;
const SERVICE_ACCOUNT = /^service_account_/i;
const INTERNAL = new Set([
  'ghost',
  'support-bot',
  'alert-bot',
  'security-bot',
  'automation-bot',
  'visual-review-bot',
  'gitlab-migration-bot',
  'gitlab-security-policy-bot',
  'gitlab-llm-bot',
  'duo-developer',
  'admin-bot',
]);

export function isGitLabBot(user: HookUser): boolean {
  if (user.bot === true) return true;
  const name = user.username.toLowerCase();
  return TOKEN_BOT.test(name) || SERVICE_ACCOUNT.test(name) || INTERNAL.has(name);
}
