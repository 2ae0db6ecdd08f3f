import { describe, expect, it } from 'vitest';
import { matchIssues } from '../../src/sync/match-issue.js';
import { externalIdOf, parseExternalId } from '../../src/sync/external-id.js';
import type { IssueWrite } from '../../src/store/issue-store.js';

function item(issueId: string, title: string): IssueWrite {
  const base = {
    provider: 'github' as const,
    repositoryUrl: 'https://github.com/octo/hello',
    issueId,
    kind: 'issue' as const,
    title,
    body: null,
    state: 'open' as const,
    labels: [],
    url: `https://github.com/octo/hello/issues/${issueId}`,
    author: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    closedAt: null,
    extra: {},
  };
  return { ...base, externalId: externalIdOf(base) };
}

describe('externalId', () => {
  it('is provider:repositoryUrl:issueId and parses back', () => {
    const id = externalIdOf({ provider: 'github', repositoryUrl: 'https://github.com/octo/hello', issueId: 'alert-3' });
    expect(id).toBe('github:https://github.com/octo/hello:alert-3');
    expect(parseExternalId(id)).toEqual({
      provider: 'github',
      repositoryUrl: 'https://github.com/octo/hello',
      issueId: 'alert-3',
    });
    expect(parseExternalId('jira:x:1')).toBeNull();
    expect(parseExternalId('github:')).toBeNull();
  });
});

describe('matchIssues', () => {
  const candidate = (id: string, title: string, at: number) => ({ id, title, createdAt: new Date(at) });

  it('leaves items with a stored externalId to the upsert', () => {
    const a = item('1', 'Crash');
    expect(matchIssues([a], { existing: new Set([a.externalId]), candidates: [candidate('L1', 'Crash', 0)] }).size).toBe(0);
  });

  it('claims an unlinked local issue with the same title', () => {
    const a = item('1', 'Crash');
    expect(matchIssues([a], { existing: new Set(), candidates: [candidate('L1', 'Crash', 0)] })).toEqual(
      new Map([[a.externalId, 'L1']]),
    );
  });

  it('never lets two external issues with the same title claim one local issue', () => {
    const a = item('1', 'Crash');
    const b = item('2', 'Crash');
    const claims = matchIssues([a, b], { existing: new Set(), candidates: [candidate('L1', 'Crash', 0)] });
    expect(claims).toEqual(new Map([[a.externalId, 'L1']]));
  });

  it('pairs same-title issues one to one, oldest local issue first', () => {
    const a = item('1', 'Crash');
    const b = item('2', 'Crash');
    const claims = matchIssues([a, b], {
      existing: new Set(),
      candidates: [candidate('L2', 'Crash', 2), candidate('L1', 'Crash', 1)],
    });
    expect(claims).toEqual(
      new Map([
        [a.externalId, 'L1'],
        [b.externalId, 'L2'],
      ]),
    );
  });

  it('matches titles exactly', () => {
    const a = item('1', 'crash');
    expect(matchIssues([a], { existing: new Set(), candidates: [candidate('L1', 'Crash', 0)] }).size).toBe(0);
  });
});
