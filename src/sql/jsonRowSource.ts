/** One column of a JSON row source: its alias in the derived table, its SQL type, and one value per row. */
export interface JsonSourceColumn {
  readonly alias: string;
  readonly column: { readonly castType: string };
  readonly values: readonly unknown[];
}

const INTEGER_TYPE = /^(tinyint|smallint|mediumint|int|integer|bigint)\b/i;
const TEXT_TYPE = /^(char|varchar|character varying|character|tinytext|text|mediumtext|longtext)\b/i;
const INTEGER_TEXT = /^-?\d{1,18}$/;
// A UTF-16 surrogate without its other half: JSON would carry it as an escape the server may read differently.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * MySQL/MariaDB: the rows of a batch as one JSON document read by `JSON_TABLE`, instead of a derived table of
 * `UNION ALL` branches (which the server parses branch by branch: 275 ms against 62 ms for 10,000 rows, see
 * BENCHMARKS.md). The document is one parameter, so it reaches the server as a setting-proof hex literal like any
 * other string. Returns `undefined` where a value could change on its way through JSON, and the caller keeps the
 * `UNION ALL` form: only integer columns holding safe integers (keys compare as numbers, no collation involved)
 * and text columns holding well-formed strings or NULL (read as `longtext`, so the audit column, not the JSON
 * column, still rejects a value too long). `o` is the row's 1-based ordinality.
 */
export function jsonTableSource(columns: readonly JsonSourceColumn[], rowCount: number, q: (name: string) => string): { sql: string; document: string } | undefined {
  const kinds = columns.map(kindOf);
  if (kinds.some(kind => kind === undefined)) {
    return undefined;
  }
  const rows: string[] = [];
  for (let row = 0; row < rowCount; row++) {
    rows.push(`[${columns.map(({ values }, i) => encode(values[row], kinds[i]!)).join(',')}]`);
  }
  const definitions = columns.map(({ alias }, i) => `${q(alias)} ${kinds[i] === 'integer' ? 'bigint' : 'longtext character set utf8mb4'} path '$[${i}]'`);
  return { sql: `json_table(?, '$[*]' columns(${q('o')} for ordinality, ${definitions.join(', ')}))`, document: `[${rows.join(',')}]` };
}

type Kind = 'integer' | 'text';

function kindOf({ column, values }: JsonSourceColumn): Kind | undefined {
  if (INTEGER_TYPE.test(column.castType)) {
    return values.every(value => (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && INTEGER_TEXT.test(value))) ? 'integer' : undefined;
  }
  if (TEXT_TYPE.test(column.castType)) {
    return values.every(value => value === null || (typeof value === 'string' && !LONE_SURROGATE.test(value))) ? 'text' : undefined;
  }
  return undefined;
}

function encode(value: unknown, kind: Kind): string {
  if (value === null) {
    return 'null';
  }
  return kind === 'integer' ? String(value as number | string) : JSON.stringify(value);
}
