import { AuditTrailErrorBase } from '../errors/AuditTrailErrorBase.js';
import { CliUsageError } from '../errors/CliUsageError.js';
import { MikroOrmCliMissing } from '../mikro-orm/cliConfiguration.js';
import type { CommandIo, ExitCode } from './CliCommand.js';
import { colorAllowed, colors } from './output/colors.js';
import { terminalText } from './output/terminalText.js';

/**
 * Writes an error to stderr and returns its exit code. Every error ends the command with 2: a usage or
 * configuration error says its fix; any other (the database unreachable, a statement failing) means the command
 * could not do its work, which is not a finding (1 is kept for findings, so a monitor never mistakes one for the other).
 */
export function reportError(error: unknown, io: CommandIo, verbose = false): ExitCode {
  const c = colors(colorAllowed(io.stderr));
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`${c.red(c.bold('error'))}: ${lines(message)}\n`);
  const known = error instanceof CliUsageError || error instanceof AuditTrailErrorBase;
  if (verbose && !known && error instanceof Error && error.stack) {
    io.stderr.write(`${c.dim(lines(error.stack))}\n`);
  }
  return 2;
}

/** An error raised while loading the config and initialising the ORM, as the message an operator can act on. */
export function configError(error: unknown): unknown {
  if (error instanceof MikroOrmCliMissing) {
    return CliUsageError.missingPackage(error.message, 'Loading the MikroORM config as the mikro-orm CLI does');
  }
  const message = error instanceof Error ? error.message : '';
  if (/^@mikro-orm\/cli needs to be installed as a local dependency/.test(message)) {
    return CliUsageError.notADependency('@mikro-orm/cli');
  }
  if (!(error instanceof AuditTrailErrorBase) && /MikroORM config|config file|ts-node|TypeScript|tsconfig/i.test(message)) {
    return CliUsageError.configNotLoaded(message);
  }
  return error;
}

// Messages may quote values (an entity name, a config path): shown inert, line by line.
function lines(text: string): string {
  return text.split('\n').map(terminalText).join('\n');
}
