import { CliUsageError } from '../errors/CliUsageError.js';
import type { CommandOptions } from './CliCommand.js';

/** A string option (`--output <file>`), or `undefined` when not given. */
export function stringOption(options: CommandOptions, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable string option (`--retired-key-file a --retired-key-file b`), in the order given; `[]` when not given. */
export function stringListOption(options: CommandOptions, name: string): string[] {
  const value = options[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' ? [value] : [];
}

/** Commander's collector for a repeatable option: each occurrence appended. */
export function collectRepeated(value: string, previous: unknown): string[] {
  return [...(Array.isArray(previous) ? (previous as string[]) : []), value];
}

/** A flag (`--json`): true only when given. */
export function flagOption(options: CommandOptions, name: string): boolean {
  return options[name] === true;
}

/** One of a fixed set of values (`--format csv`), or a usage error listing them. */
export function choiceOption<T extends string>(options: CommandOptions, name: string, choices: readonly T[], fallback?: T): T {
  const value = options[name] ?? fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw CliUsageError.badValue(flag(name), `one of ${choices.join(', ')}`, typeof value === 'string' ? value : '');
  }
  return value as T;
}

/** A non-negative integer (`--keep-last 10`), or a usage error. */
export function integerOption(options: CommandOptions, name: string): number | undefined {
  const value = stringOption(options, name);
  if (value === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw CliUsageError.badValue(flag(name), 'a non-negative integer', value);
  }
  return Number(value);
}

// An instant must say its time zone: a time without one would be read in the zone of whichever machine runs the CLI.
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

/**
 * An instant given on the command line: an ISO 8601 date (`2026-03-01`, midnight UTC) or date-time with a zone
 * (`2026-03-01T12:00:00Z`, `…+02:00`). A usage error naming the argument otherwise.
 */
export function parseInstant(text: string, what: string): Date {
  const date = INSTANT.test(text) ? new Date(text) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw CliUsageError.badValue(what, 'an ISO 8601 instant with a time zone, e.g. 2026-03-01T12:00:00Z, or a date (2026-03-01, UTC)', text);
  }
  return date;
}

// The option as typed: commander's camelCase name (`keepLast`) back to its flag (`--keep-last`).
function flag(name: string): string {
  return `--${name.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`)}`;
}
