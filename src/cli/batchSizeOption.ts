import { CliUsageError } from '../errors/CliUsageError.js';
import type { CommandOptions } from './CliCommand.js';
import { integerOption } from './options.js';

/** `--batch-size <n>`: a positive integer, or a usage error; `undefined` when not given (the function's default). */
export function batchSizeOption(options: CommandOptions): number | undefined {
  const value = integerOption(options, 'batchSize');
  if (value === 0) {
    throw CliUsageError.badValue('--batch-size', 'a positive integer', '0');
  }
  return value;
}
