/**
 * Runs the CLI in this process as a user would type it, with the given environment, and returns its exit
 * code and everything it wrote. LOG_LEVEL defaults to silent so logs never mix into the captured output.
 */
import { runCli } from '../../src/cli/run-cli.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCliCaptured(
  args: string[],
  env: Record<string, string | undefined>,
  options: { signal?: AbortSignal } = {},
): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(args, {
    env: { LOG_LEVEL: 'silent', ...env },
    stdout: { write: (chunk: string) => stdout.push(chunk) },
    stderr: { write: (chunk: string) => stderr.push(chunk) },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}
