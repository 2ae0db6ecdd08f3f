/**
 * The CLI: parses the command, opens what it needs (configuration, database, stores) and runs it.
 * Exit codes: 0 success, 1 the work failed, 2 bad arguments or configuration.
 */
import { ConfigError, loadConfig } from '../config.js';
import { UsageError, errorMessage } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { secretMasker } from '../mask-secrets.js';
import { secretValues } from '../secret-values.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { parseCommand, type Command } from './parse-args.js';
import type { ProgressStream } from './progress-bar.js';

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: ProgressStream;
  stderr: ProgressStream;
  signal?: AbortSignal;
}

export interface CommandContext {
  io: CliIo;
  log: Logger;
  runtime: Runtime;
}

export async function runCli(argv: readonly string[], given: CliIo): Promise<number> {
  // What goes to stderr (errors, warnings, progress) never shows a secret of the environment, a
  // --token, or a URL's password.
  let secrets = secretValues(given.env);
  let mask = secretMasker(secrets);
  const stderr: ProgressStream = {
    get isTTY() {
      return given.stderr.isTTY;
    },
    get columns() {
      return given.stderr.columns;
    },
    write: (chunk: string) => given.stderr.write(mask(chunk)),
  };
  const io: CliIo = { ...given, stderr };
  const fail = (message: string) => stderr.write(`issue-sync: ${message}\n`);
  let command: Command;
  let config;
  try {
    command = parseCommand(argv);
    if ('token' in command) {
      secrets = secretValues(io.env, [command.token]);
      mask = secretMasker(secrets);
    }
    config = loadConfig(io.env);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      fail(error.message);
      return 2;
    }
    throw error;
  }
  if (command.name === 'help') {
    io.stdout.write(`${command.text}\n`);
    return 0;
  }

  // Commands other than `serve` keep the log quiet unless LOG_LEVEL asks for more: their output is the result.
  const quiet = command.name !== 'serve' && io.env.LOG_LEVEL === undefined;
  const log = createLogger({ level: quiet ? 'warn' : config.logLevel, secrets });
  if (command.name === 'doctor') {
    const { runDoctor } = await import('./commands/doctor.js');
    return runDoctor({ io, log, config });
  }

  let runtime: Runtime | undefined;
  let loading: Promise<CommandRunner> | undefined;
  const load = () => (loading ??= loadCommand(command));
  try {
    // The command's modules load while PostgreSQL boots (Prisma, zod and Octokit take a while).
    runtime = await openRuntime(config, log, { whileStarting: () => void load().catch(() => undefined) });
    const run = await load();
    return await run({ io, log, runtime });
  } catch (error) {
    if (error instanceof UsageError) {
      fail(error.message);
      return 2;
    }
    log.debug({ err: error }, 'command failed');
    fail(errorMessage(error));
    return 1;
  } finally {
    await runtime?.close().catch((error: unknown) => log.warn({ err: error }, 'shutdown was not clean'));
  }
}

type CommandRunner = (context: CommandContext) => Promise<number>;

/**
 * The command's module, imported only for the command that runs: `serve` alone needs hono and pg-boss
 * (and Probot, when the GitHub App is configured), and loading them would cost every other command a
 * large part of its start.
 */
async function loadCommand(command: Command): Promise<CommandRunner> {
  switch (command.name) {
    case 'migrate':
      return async ({ io, runtime }) => {
        io.stdout.write(
          runtime.appliedMigrations.length === 0
            ? 'The database is up to date.\n'
            : `Applied ${runtime.appliedMigrations.length} migration(s): ${runtime.appliedMigrations.join(', ')}\n`,
        );
        return 0;
      };
    case 'serve': {
      const { runServe } = await import('./commands/serve.js');
      return (context) => runServe(context);
    }
    case 'sync': {
      const { runSyncCommand } = await import('./commands/sync.js');
      return (context) => runSyncCommand(context, command);
    }
    case 'issues list': {
      const { runIssuesList } = await import('./commands/issues-list.js');
      return (context) => runIssuesList(context, command);
    }
    case 'users add': {
      const { runUsersAdd } = await import('./commands/users-add.js');
      return (context) => runUsersAdd(context, command);
    }
    case 'repos add': {
      const { runReposAdd } = await import('./commands/repos-add.js');
      return (context) => runReposAdd(context, command);
    }
    case 'repos list': {
      const { runReposList } = await import('./commands/repos-list.js');
      return (context) => runReposList(context, command);
    }
    case 'projects list': {
      const { runProjectsList } = await import('./commands/projects-list.js');
      return (context) => runProjectsList(context, command);
    }
    default:
      throw new UsageError(`Unknown command "${(command as Command).name}".`);
  }
}
