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

  it('defaults to open issues, and leaves the project to the command (it finds the one holding the repository)', () => {
    expect(parseCommand(['sync', '--provider', 'gitlab', '--repo', 'grp/sub/proj'])).toEqual(
      expect.objectContaining({ type: 'issues', includeClosed: false, project: undefined, json: false }),
    );
    expect(parseCommand(['issues', 'list'])).toEqual({ name: 'issues list', project: undefined, repo: undefined, json: false });
  });

  it.each([
    [['sync', '--repo', 'a/b'], /--provider is required/],
    [['sync', '--provider', 'svn', '--repo', 'a/b'], /^--provider must be github, gitlab or bitbucket \(got "svn"\)$/],
    [['sync', '--provider', 'github', '--repo', 'nope'], /--repo for github must look like owner\/name/],
    [['sync', '--provider', 'github', '--repo', 'a/b', '--type', 'prs'], /--type must be issues, security or all/],
    [['sync', '--provider', 'github', '--repo', 'a/b', '--include-closed'], /needs confirmation: add --confirm/],
    [['sync', '--provider', 'github', '--repo', 'a/b', '--api-url', 'ftp://x'], /--api-url must be an http\(s\) URL/],
    [['sync', '--provider', 'gitlab', '--repo', 'a/b', '--api-url', 'https://ops:hunter22@gitlab.example.com'], /^--api-url must not hold a user name or password: give the token on its own \(--token\)$/],
    [['sync', '--provider', 'github', '--repo', 'a/b', '--bogus'], /Unknown option --bogus for "issue-sync sync"; run "issue-sync sync --help"/],
    [['sync', '--provider', 'github', '--incude-closed'], /^Unknown option --incude-closed; did you mean --include-closed\?$/],
    [['issues', 'list', '--proj', 'acme'], /^Unknown option --proj; did you mean --project\?$/],
    [['sync', 'octo/hello'], /did you mean --repo octo\/hello\?/],
    [['snyc'], /^Unknown command "snyc"; did you mean "sync"\?/],
    [['issues', 'lst'], /^Unknown command "issues lst"; did you mean "issues list"\?/],
    [['repos'], /"issue-sync repos" needs a command: repos list or repos add/],
    [['users', 'add', '--project', 'p', '--name', 'n', '--role', 'owner'], /--role must be admin, member or viewer/],
    [['repos', 'add', '--project', 'p', '--provider', 'github', '--repo', 'a/b'], /--token is required/],
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['issues', 'show'], /Unknown command "issues show"; "issues" has "issues list"/],
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
