// Values that break naive canonical forms: quotes and backslashes, unicode and emoji, 1 MB text, JSON, instants
// before 1970 and with milliseconds, calendar dates, decimals, 64-bit integers, booleans, every byte, floating
// point values and NULL next to the empty string.
import type { DriverName } from '../../support/databases.js';

/** Server settings of a session whose client-side escaping and text forms differ from the defaults. */
export const HOSTILE_SETTINGS: Partial<Record<DriverName, string[]>> = {
  postgresql: [
    'set standard_conforming_strings = off',
    "set timezone = 'America/St_Johns'",
    "set datestyle = 'SQL, DMY'",
    "set intervalstyle = 'sql_standard'",
    'set extra_float_digits = -10',
    "set bytea_output = 'escape'",
  ],
  mariadb: ["set session sql_mode = 'NO_BACKSLASH_ESCAPES,ANSI_QUOTES,STRICT_TRANS_TABLES'", "set session time_zone = '+05:45'"],
};

/** Keeps quotes and backslashes out of strings: MikroORM's own MariaDB statements break on them under NO_BACKSLASH_ESCAPES. */
export const QUOTE_FREE = (text: string): string => text.replace(/['"\\]/g, '_');

const STRINGS = [
  "'",
  "''",
  '\\',
  "\\'",
  '"',
  '`',
  "'); drop table specimen; --",
  '?',
  '$1',
  '%_',
  '\r\n\t',
  '😀 ünïcödé 𝄞 \u2028',
  'NULL',
  '',
  ' trailing space ',
  "E'\\x41'",
];

export interface SpecimenRow {
  id: number;
  body: string | null;
  label: string | null;
  data: unknown;
  at: Date | null;
  day: string | null;
  amount: string | null;
  big: string | null;
  yes: boolean | null;
  bytes: Buffer | null;
  ratio: number | null;
  secret: string | null;
}

/** At least 40 rows; row 1 holds a text of more than 1 MB. `clean` rewrites every string (see QUOTE_FREE). */
export function specimens(_db: DriverName, clean?: (text: string) => string): SpecimenRow[] {
  const rows: SpecimenRow[] = [];
  const dates = [new Date('1969-12-31T23:59:59.999Z'), new Date('2038-01-19T03:14:08.123Z'), new Date('2024-02-29T12:00:00.000Z'), new Date('2000-01-01T00:00:00.001Z')];
  const days = ['2024-02-29', '1000-01-01', '9999-12-31', '1970-01-01'];
  const amounts = ['-0.01', '999999999999.99', '0.00', '12.30'];
  const bigs = ['-9223372036854775808', '9223372036854775807', '9007199254740993', '0'];
  const ratios = [0.1, 1 / 3, -2.5e-300, 1e300, 0];
  const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  for (let i = 0; i < 40; i++) {
    const text = (clean ?? String)(STRINGS[i % STRINGS.length]!);
    rows.push({
      id: i + 1,
      body: i === 0 ? `${text}${'ü'.repeat(1_000_001)}` : i % 7 === 3 ? null : text,
      label: i % 5 === 4 ? null : text,
      // JSON always has double quotes, which MikroORM's MariaDB formatting escapes with a backslash.
      data: i % 6 === 5 ? null : clean ? [i, 2.5, null, true] : i % 2 === 0 ? { text, nested: { list: [1, 2.5, null, true, text] } } : [text, -0, 1e21],
      at: i % 9 === 8 ? null : dates[i % dates.length]!,
      day: days[i % days.length]!,
      amount: i % 8 === 7 ? null : amounts[i % amounts.length]!,
      big: bigs[i % bigs.length]!,
      yes: i % 3 === 2 ? null : i % 2 === 0,
      bytes: i % 4 === 3 ? null : i % 4 === 2 ? Buffer.alloc(0) : allBytes,
      ratio: ratios[i % ratios.length]!,
      secret: i % 10 === 9 ? null : `secret ${text}`,
    });
  }
  return rows;
}
