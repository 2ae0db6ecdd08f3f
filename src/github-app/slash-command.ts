/**
 * /sync slash commands in issue and pull request comments (being written: see registerSlashCommands).
 */
import type { Probot } from 'probot';
import type { GitHubAppDeps } from './github-app-deps.js';

export function registerSlashCommands(_app: Probot, _deps: GitHubAppDeps): void {}
