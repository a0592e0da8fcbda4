import { CliUsageError } from '../errors/CliUsageError.js';
import { parseInstant } from './options.js';

// Seconds per unit. `m` is minutes: months and years have no fixed length, so they are refused with the way round.
const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };
const AGE = /^(\d+)\s*([smhdw])$/i;

/**
 * The instant an age given on the command line stands for: `365d`, `12h`, `30m`, `90s`, `2w` before `now`, or an
 * ISO 8601 date (midnight UTC) or instant with a time zone. A usage error naming `what` and the accepted forms
 * otherwise.
 */
export function parseAge(text: string, what: string, now: Date = new Date()): Date {
  const age = AGE.exec(text.trim());
  if (age) {
    const seconds = Number(age[1]) * UNITS[age[2]!.toLowerCase()]!;
    const date = new Date(now.getTime() - seconds * 1000);
    if (Number.isSafeInteger(Number(age[1])) && !Number.isNaN(date.getTime())) {
      return date;
    }
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    return parseInstant(text, what);
  }
  throw CliUsageError.badValue(
    what,
    'an age such as 365d, 12h or 30m (units s, m = minutes, h, d, w; for months or years give days, e.g. 365d), or an ISO 8601 date (2026-03-01) or instant with a time zone (2026-03-01T12:00:00Z)',
    text,
  );
}
