import type { CliCommand } from '../CliCommand.js';

/** Every command of the CLI, in the order `--help` lists them. */
export const COMMANDS: readonly CliCommand[] = [];
