/**
 * What a GitLab delivery asks of issue-sync, read from its `X-Gitlab-Event` and payload without any
 * I/O: an issue to store, a note (with the /sync command it holds, if it should be answered), or
 * nothing. Unknown events and payloads of an unexpected shape are `ignored`, never an error: GitLab
 * disables a hook that fails four times in a row.
 */
import type { ZodError } from 'zod';
import type { ExternalIssue } from '../../domain/items.js';
import { parseSlashCommand, type SlashCommand } from '../../webhooks/slash-command.js';
import { isGitLabBot } from './gitlab-slash-bot-user.js';
import { normalizeIssueHook } from './gitlab-webhook-issue.js';
import { issueHookSchema, noteHookSchema, type HookProject } from './gitlab-webhook-schema.js';

export interface IssueDelivery {
  kind: 'issue';
  project: HookProject;
  action: string | null;
  /** Its `author` is null: the hook names the author by id only (see `author`). */
  item: ExternalIssue;
  /** The author's username when the event's user is the author; null when the hook does not tell. */
  author: string | null;
}

export interface NoteDelivery {
  kind: 'note';
  project: HookProject;
  action: string | null;
  /** The /sync command to answer; null for any note that is not one (or is a bot's). */
  command: SlashCommand | null;
  issueIid: number;
  noteId: number;
  user: { id: number; username: string };
  internal: boolean;
}

export type GitLabDelivery =
  | IssueDelivery
  | NoteDelivery
  | { kind: 'ignored'; reason: 'unhandled_event' | 'unexpected_payload'; problem?: string };

const ISSUE_EVENTS = new Set(['Issue Hook', 'Confidential Issue Hook']);
const NOTE_EVENTS = new Set(['Note Hook', 'Confidential Note Hook']);

export function readGitLabDelivery(event: string, payload: unknown): GitLabDelivery {
  if (ISSUE_EVENTS.has(event)) return readIssue(payload);
  if (NOTE_EVENTS.has(event)) return readNote(payload);
  return { kind: 'ignored', reason: 'unhandled_event' };
}

function readIssue(payload: unknown): GitLabDelivery {
  const parsed = issueHookSchema.safeParse(payload);
  if (!parsed.success) return unexpected(describe(parsed.error));
  const hook = parsed.data;
  let item: ExternalIssue;
  try {
    item = normalizeIssueHook(hook, null);
  } catch (error) {
    return unexpected(error instanceof Error ? error.message : String(error));
  }
  const attributes = hook.object_attributes;
  const byAuthor = hook.user && attributes.author_id != null && hook.user.id === attributes.author_id;
  return {
    kind: 'issue',
    project: hook.project,
    action: attributes.action ?? null,
    item,
    author: byAuthor ? hook.user!.username : null,
  };
}

function readNote(payload: unknown): GitLabDelivery {
  const parsed = noteHookSchema.safeParse(payload);
  if (!parsed.success) return unexpected(describe(parsed.error));
  const hook = parsed.data;
  const note = hook.object_attributes;
  const userId = hook.user.id ?? note.author_id ?? null;
  // Only a new note on an issue by a person can be a command: an edited note (`update`, 16.11+) is
  // not run again, and system notes ("changed the description") are GitLab's own.
  const answerable =
    note.noteable_type === 'Issue' &&
    hook.issue != null &&
    (note.action == null || note.action === 'create') &&
    note.system !== true &&
    userId !== null &&
    !isGitLabBot(hook.user);
  return {
    kind: 'note',
    project: hook.project,
    action: note.action ?? null,
    command: answerable ? parseSlashCommand(note.note) : null,
    issueIid: hook.issue?.iid ?? 0,
    noteId: note.id,
    user: { id: userId ?? 0, username: hook.user.username },
    internal: note.internal === true || note.confidential === true,
  };
}

function unexpected(problem: string): GitLabDelivery {
  return { kind: 'ignored', reason: 'unexpected_payload', problem };
}

function describe(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  return `${issue.path.length > 0 ? issue.path.join('.') : 'payload'}: ${issue.message}`;
}
