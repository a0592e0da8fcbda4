import type { MikroORM } from '@mikro-orm/core';
import { Command, CommanderError } from 'commander';
import { CliUsageError } from '../errors/CliUsageError.js';
import type { CliConfigSource } from '../mikro-orm/cliConfiguration.js';
import type { CliCommand, CommandIo, ExitCode } from './CliCommand.js';
import { auditedEntities } from './auditedEntities.js';
import { configError, reportError } from './reportError.js';
import { packageVersion } from './packageVersion.js';

/** What the program runs on: the commands, and how it opens the application's ORM (tests give their own). */
export interface CliDependencies {
  readonly commands: readonly CliCommand[];
  openOrm(source: CliConfigSource): Promise<MikroORM>;
}

const NAME = 'mikro-orm-audit-trail';

/**
 * Runs one command line (`argv` without node and the script) and returns its exit code: 0 ok, 1 a finding,
 * 2 a usage or configuration error (its message, with the fix, on stderr). Never throws.
 */
export async function runCli(argv: readonly string[], io: CommandIo, dependencies: CliDependencies): Promise<ExitCode> {
  let code: ExitCode = 0;
  const program = createProgram(io, dependencies, result => (code = result));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return commanderExit(error, io, argv.find(word => program.commands.some(sub => sub.name() === word)));
    }
    return reportError(error, io);
  }
}

function createProgram(io: CommandIo, dependencies: CliDependencies, exit: (code: ExitCode) => void): Command {
  const program = new Command(NAME)
    .description('Inspect, export and maintain the audit trail of a MikroORM application (mikro-orm-audit-trail).')
    .version(packageVersion(), '-V, --version')
    .option('--config <path>', 'path to the MikroORM config (repeatable: the first that exists is used); default: as the mikro-orm CLI looks', collect)
    .option('--context <name>', 'the config to use when the file exports several (contextName); default: MIKRO_ORM_CONTEXT_NAME or "default"')
    .option('--verbose', 'print the stack of unexpected errors')
    .exitOverride()
    .configureOutput({
      writeOut: text => io.stdout.write(text),
      writeErr: text => io.stderr.write(text),
      // Errors are reported by runCli, with the way to help.
      outputError: () => undefined,
    })
    .showSuggestionAfterError(true);
  for (const command of dependencies.commands) {
    const sub = program.command(command.name).exitOverride();
    command.configure(sub);
    sub.action(async (...received: unknown[]) => {
      const self = received.at(-1) as Command;
      exit(await runCommand(command, self, io, dependencies));
    });
  }
  return program;
}

async function runCommand(command: CliCommand, self: Command, io: CommandIo, dependencies: CliDependencies): Promise<ExitCode> {
  const options = self.optsWithGlobals<Record<string, unknown>>();
  const verbose = options.verbose === true;
  let orm: MikroORM;
  try {
    orm = await dependencies.openOrm({ configPaths: options.config as string[] | undefined, contextName: options.context as string | undefined });
  } catch (error) {
    return reportError(configError(error), io, verbose);
  }
  try {
    auditedEntities(orm.em);
    return await command.run(orm, io, [...self.args], options);
  } catch (error) {
    return reportError(error, io, verbose);
  } finally {
    await orm.close(true);
  }
}

// --help and --version end with exit code 0; no command at all shows the help on stderr (exit 2); anything else
// commander refuses (unknown command or option, missing argument) is a usage error naming the help to read.
function commanderExit(error: CommanderError, io: CommandIo, command: string | undefined): ExitCode {
  if (error.exitCode === 0) {
    return 0;
  }
  if (error.code === 'commander.help') {
    return 2;
  }
  return reportError(CliUsageError.usage(error.message, command), io);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
