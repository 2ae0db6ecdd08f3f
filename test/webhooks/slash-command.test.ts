import { describe, expect, it } from 'vitest';
import { parseSlashCommand } from '../../src/webhooks/slash-command.js';

const sync = (syncType: string, includeClosed = false, confirmed = false) => ({
  kind: 'sync',
  syncType,
  includeClosed,
  confirmed,
});

describe('parseSlashCommand', () => {
  it('reads each form of the grammar', () => {
    expect(parseSlashCommand('/sync')).toEqual(sync('issues'));
    expect(parseSlashCommand('/sync issues')).toEqual(sync('issues'));
    expect(parseSlashCommand('/sync alerts')).toEqual(sync('security'));
    expect(parseSlashCommand('/sync security')).toEqual(sync('security'));
    expect(parseSlashCommand('/sync all')).toEqual(sync('all'));
    expect(parseSlashCommand('/sync status')).toEqual({ kind: 'status' });
    expect(parseSlashCommand('/sync help')).toEqual({ kind: 'help' });
  });

  it('reads --closed and --confirm in any order, with or without a sync type', () => {
    expect(parseSlashCommand('/sync --closed')).toEqual(sync('issues', true, false));
    expect(parseSlashCommand('/sync --closed --confirm')).toEqual(sync('issues', true, true));
    expect(parseSlashCommand('/sync --confirm all --closed')).toEqual(sync('all', true, true));
    expect(parseSlashCommand('/sync alerts --closed')).toEqual(sync('security', true, false));
    expect(parseSlashCommand('/sync --confirm')).toEqual(sync('issues', false, true));
  });

  it('reads a dash that an editor made of -- as --', () => {
    expect(parseSlashCommand('/sync —closed —confirm')).toEqual(sync('issues', true, true));
  });

  it('ignores case, surrounding text and spacing', () => {
    expect(parseSlashCommand('/SYNC All')).toEqual(sync('all'));
    expect(parseSlashCommand('Thanks for the report!\r\n\r\n  /sync   alerts  \r\nCheers')).toEqual(sync('security'));
    expect(parseSlashCommand('\t\n/sync\n')).toEqual(sync('issues'));
  });

  it('takes the first command line only', () => {
    expect(parseSlashCommand('/sync status\n/sync all')).toEqual({ kind: 'status' });
    expect(parseSlashCommand('/sync nonsense\n/sync all')).toMatchObject({ kind: 'invalid' });
  });

  it('returns null when no line starts with /sync', () => {
    expect(parseSlashCommand('')).toBeNull();
    expect(parseSlashCommand('Looks good to me')).toBeNull();
    expect(parseSlashCommand('please run /sync for me')).toBeNull();
    expect(parseSlashCommand('/synchronize')).toBeNull();
    expect(parseSlashCommand('/sync-all')).toBeNull();
    expect(parseSlashCommand('`/sync`')).toBeNull();
    expect(parseSlashCommand('/status')).toBeNull();
  });

  it('ignores /sync inside fenced and indented code blocks', () => {
    expect(parseSlashCommand('Try this:\n```\n/sync all\n```')).toBeNull();
    expect(parseSlashCommand('~~~md\n/sync\n~~~')).toBeNull();
    expect(parseSlashCommand('````\n```\n/sync\n````')).toBeNull();
    expect(parseSlashCommand('Example:\n\n    /sync all')).toBeNull();
    expect(parseSlashCommand('\t/sync')).toBeNull();
    expect(parseSlashCommand('```\n/sync all\n```\n/sync status')).toEqual({ kind: 'status' });
    expect(parseSlashCommand('```one line```\n/sync help')).toEqual({ kind: 'help' });
  });

  it('ignores /sync in quotes and HTML comments', () => {
    expect(parseSlashCommand('> /sync all\n\nI would not do that.')).toBeNull();
    expect(parseSlashCommand('> > /sync')).toBeNull();
    expect(parseSlashCommand('<!-- /sync -->')).toBeNull();
    expect(parseSlashCommand('<!--\n/sync all\n-->\nHello')).toBeNull();
    expect(parseSlashCommand('<!--\n/sync all\n-->\n/sync help')).toEqual({ kind: 'help' });
    expect(parseSlashCommand('> quoted\n\n/sync status')).toEqual({ kind: 'status' });
  });

  it('answers unknown words and options with a reason', () => {
    expect(parseSlashCommand('/sync everything')).toEqual({ kind: 'invalid', message: 'Unknown word `everything`.' });
    expect(parseSlashCommand('/sync --force')).toEqual({ kind: 'invalid', message: 'Unknown option `--force`.' });
    expect(parseSlashCommand('/sync constructor')).toMatchObject({ kind: 'invalid' });
    expect(parseSlashCommand('/sync issues alerts')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('not several') });
    expect(parseSlashCommand('/sync status --closed')).toEqual({ kind: 'invalid', message: '`/sync status` takes no options.' });
    expect(parseSlashCommand('/sync help --confirm')).toMatchObject({ kind: 'invalid' });
  });
});
