import type { CliCommand } from '../CliCommand.js';
import { backfillCommand } from './backfill.js';
import { pruneCommand } from './prune.js';

/** Every command of the CLI, in the order `--help` lists them. */
export const COMMANDS: readonly CliCommand[] = [pruneCommand, backfillCommand];
