import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../support/run-cli-captured.js';
import { COMMANDS } from '../../src/cli/command-specs.js';

const cli = (args: string[]) => runCliCaptured(args, {});

describe('issue-sync help', () => {
  it.each([
    [['sync', '--help'], 'issue-sync sync', ['--provider P', '--include-closed', '--project SLUG', 'or both. Default:']],
    [['issues', 'list', '--help'], 'issue-sync issues list', ['--repo REPO', 'Default: the only project, or the one project that holds --repo']],
    [['issues', '--help'], 'issue-sync issues list', ['--json']],
    [['repos', '--help'], 'issue-sync repos list', ['issue-sync repos add', '--token T', 'Default: every project']],
    [['repos', 'add', '-h'], 'issue-sync repos add', ['--api-url URL']],
    [['users', '--help'], 'issue-sync users add', ['--role admin|member|viewer']],
    [['projects', 'list', '--help'], 'issue-sync projects list', ['--json']],
    [['doctor', '--help'], 'issue-sync doctor', []],
    [['serve', '--help'], 'issue-sync serve', []],
    [['migrate', '--help'], 'issue-sync migrate', []],
    [['help', 'sync'], 'issue-sync sync', ['--type issues|security|all']],
  ])('%j prints that command\'s own usage, options and an example, and exits 0', async (argv, usage, options) => {
    const result = await cli(argv);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`Usage: ${usage}`);
    for (const option of options) expect(result.stdout).toContain(option);
    expect(result.stdout).toMatch(/^Example:\n {2}(\S+=\S+ )?issue-sync /m);
    expect(result.stdout).not.toContain('Commands:');
  });

  it('lists every command in the general help and points at "issue-sync COMMAND --help"', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^ {2}issue-sync ${command.name} `, 'm'));
    expect(result.stdout).toContain('issue-sync COMMAND --help');
  });

  it('names every host where a host is chosen, and says Bitbucket has no issues any more', async () => {
    const sync = await cli(['sync', '--help']);
    expect(sync.stdout).toContain('github, gitlab or bitbucket');
    expect(sync.stdout).toMatch(/group\/sub\/name or a numeric project id\s+\(gitlab\)/);
    expect(sync.stdout).toMatch(/Bitbucket Cloud removed its issue tracker on\s+2026-08-20/);
    const general = await cli(['--help']);
    expect(general.stdout).toContain('GitHub, GitLab and Bitbucket');
    expect(general.stdout).not.toContain('not in this version');
  });

  it('answers a mistyped option with the nearest one, on one line, exit 2', async () => {
    const result = await cli(['sync', '--provider', 'github', '--repo', 'octo/x', '--incude-closed']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('issue-sync: Unknown option --incude-closed; did you mean --include-closed?\n');
  });

  it('answers a mistyped command with the nearest one, exit 2', async () => {
    const result = await cli(['repos', 'lsit']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^issue-sync: Unknown command "repos lsit"; did you mean "repos list"\? Run "issue-sync repos --help"\.\n$/);
  });
});
