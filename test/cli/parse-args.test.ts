import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/cli/parse-args.js';
import { UsageError } from '../../src/errors.js';

describe('parseCommand', () => {
  it('parses a full sync command', () => {
    expect(
      parseCommand([
        'sync', '--provider', 'github', '--repo', 'octo/hello', '--token', 't', '--api-url', 'http://127.0.0.1:1',
        '--type', 'all', '--include-closed', '--confirm', '--project', 'acme', '--json',
      ]),
    ).toEqual({
      name: 'sync',
      provider: 'github',
      repo: 'octo/hello',
      token: 't',
      apiUrl: 'http://127.0.0.1:1',
      type: 'all',
      includeClosed: true,
      project: 'acme',
      json: true,
    });
  });

  it('defaults to open issues of the default project', () => {
    expect(parseCommand(['sync', '--provider', 'gitlab', '--repo', 'grp/sub/proj'])).toMatchObject({
      type: 'issues',
      includeClosed: false,
      project: 'default',
      json: false,
    });
  });

  it.each([
    [['sync', '--repo', 'a/b'], /--provider is required/],
    [['sync', '--provider', 'svn', '--repo', 'a/b'], /--provider must be github, gitlab or bitbucket \(got "svn"\)/],
    [['sync', '--provider', 'github', '--repo', 'nope'], /--repo for github must look like owner\/name/],
    [['sync', '--provider', 'github', '--repo', 'a/b', '--type', 'prs'], /--type must be issues, security or all/],
    [['sync', '--provider', 'github', '--repo', 'a/b', '--include-closed'], /needs confirmation: add --confirm/],
    [['sync', '--provider', 'github', '--repo', 'a/b', '--api-url', 'ftp://x'], /--api-url must be an http\(s\) URL/],
    [['sync', '--provider', 'github', '--repo', 'a/b', '--bogus'], /Unknown option '--bogus'/],
    [['users', 'add', '--project', 'p', '--name', 'n', '--role', 'owner'], /--role must be admin, member or viewer/],
    [['repos', 'add', '--project', 'p', '--provider', 'github', '--repo', 'a/b'], /--token is required/],
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['issues', 'show'], /Unknown command "issues show"/],
  ])('%j is refused with one clear line', (argv, message) => {
    let caught: unknown;
    try {
      parseCommand(argv);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });

  it('accepts GitLab numeric ids and Bitbucket workspace/repo', () => {
    expect(parseCommand(['sync', '--provider', 'gitlab', '--repo', '123'])).toMatchObject({ repo: '123' });
    expect(parseCommand(['sync', '--provider', 'bitbucket', '--repo', 'ws/repo'])).toMatchObject({ repo: 'ws/repo' });
  });
});
