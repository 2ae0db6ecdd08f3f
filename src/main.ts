/**
 * Composition root: the process entry. Parses argv, wires signals and exits with the command's code.
 */
import { runCli } from './cli/run-cli.js';

// A closed pipe (`issue-sync issues list | head`) ends the output, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const controller = new AbortController();
let interrupts = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupts += 1;
    if (interrupts === 1) {
      controller.abort(new Error(`received ${signal}`));
      return;
    }
    process.stderr.write('Stopping now.\n');
    process.exit(130);
  });
}

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
process.exitCode = code;
