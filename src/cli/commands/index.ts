import type { CliCommand } from '../CliCommand.js';
import { asOfCommand } from './as-of.js';
import { backfillCommand } from './backfill.js';
import { exportCommand } from './export.js';
import { historyCommand } from './history.js';
import { pruneCommand } from './prune.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';

/** Every command of the CLI, in the order `--help` lists them. */
export const COMMANDS: readonly CliCommand[] = [statusCommand, historyCommand, asOfCommand, exportCommand, pruneCommand, backfillCommand, verifyCommand];
