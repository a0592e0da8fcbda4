import type { MikroORM } from '@mikro-orm/core';
import type { Command } from 'commander';

/** Exit codes of every command: 0 ok, 1 a finding (verify failed, nothing found, schema differs), 2 usage or config error. */
export type ExitCode = 0 | 1 | 2;

/** Where a command writes, and how its output may look. */
export interface CommandIo {
  /** Results: tables, JSON, exported rows. */
  readonly stdout: NodeJS.WritableStream;
  /** Progress, warnings and errors. */
  readonly stderr: NodeJS.WritableStream;
  /** Whether stdout may carry ANSI colors: `NO_COLOR` unset and (`FORCE_COLOR` set, or stdout a terminal). */
  readonly color: boolean;
  /** Whether stderr is a terminal outside CI: progress bars then, plain progress lines otherwise. */
  readonly interactive: boolean;
}

/** The options of a command as commander parsed them (its own and the global ones), read with `cli/options.ts`. */
export type CommandOptions = Readonly<Record<string, unknown>>;

/**
 * One operator command (`mikro-orm-audit-trail <name>`): `configure` declares its arguments and options on the
 * commander command the program made for it; `run` gets the application's initialised ORM (closed by the caller),
 * the positional arguments and the options. Usage errors are thrown as `CliUsageError` (exit 2).
 */
export interface CliCommand {
  readonly name: string;
  configure(command: Command): void;
  run(orm: MikroORM, io: CommandIo, args: readonly string[], options: CommandOptions): Promise<ExitCode>;
}
