/**
 * One `issue-sync sync` in a process of its own, for the peak-RSS measurement: runs the CLI
 * (runCli, exactly what bin/issue-sync.js runs) and prints one JSON line with the process's peak
 * RSS and the CLI's --json summary.
 *
 *   DATABASE_URL=… ISSUE_SYNC_DATA_DIR=… node --import tsx bench/rss-child.ts <apiUrl> <owner/name> <project>
 */
import { runCli } from '../src/cli/run-cli.js';

const [apiUrl, repo, project] = process.argv.slice(2);
if (!apiUrl || !repo || !project || !process.env.DATABASE_URL) {
  process.stderr.write('usage: DATABASE_URL=… node --import tsx bench/rss-child.ts <apiUrl> <owner/name> <project>\n');
  process.exit(2);
}

// As src/main.ts does: Ctrl-C aborts the sync through the CLI's signal.
const controller = new AbortController();
for (const name of ['SIGINT', 'SIGTERM'] as const) process.once(name, () => controller.abort(new Error(`received ${name}`)));

const stdout: string[] = [];
const stderr: string[] = [];
const exitCode = await runCli(
  ['sync', '--provider', 'github', '--repo', repo, '--api-url', apiUrl, '--project', project,
    '--type', 'issues', '--include-closed', '--confirm', '--json'],
  {
    env: { DATABASE_URL: process.env.DATABASE_URL, ISSUE_SYNC_DATA_DIR: process.env.ISSUE_SYNC_DATA_DIR },
    stdout: { write: (chunk: string) => stdout.push(chunk) },
    stderr: { write: (chunk: string) => stderr.push(chunk) },
    signal: controller.signal,
  },
);

const parseSummary = (text: string): unknown => {
  try {
    return JSON.parse(text.trim().split('\n').at(-1) ?? 'null');
  } catch {
    return null;
  }
};
const summary = parseSummary(stdout.join(''));
process.stdout.write(
  `${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, exitCode, summary, stderr: stderr.join('') })}\n`,
);
process.exitCode = exitCode;
