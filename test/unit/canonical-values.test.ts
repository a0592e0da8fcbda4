import { describe, expect, it } from 'vitest';
import { canonicalExpression } from '../../src/sql/canonicalValues.js';

const x = 'a."col"';

describe('canonicalExpression', () => {
  it('PostgreSQL: instants in UTC, dates and timestamps by to_char, never the session DateStyle', () => {
    expect(canonicalExpression('postgresql', x, 'timestamptz(3)')).toBe(
      `case when isfinite(a."col") then to_char((a."col" at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.US') || ` +
        `case when (a."col" at time zone 'UTC') < timestamp '0001-01-01' then ' BC' else '' end else cast(a."col" as text) end`,
    );
    expect(canonicalExpression('postgresql', x, 'timestamp with time zone')).toBe(canonicalExpression('postgresql', x, 'timestamptz'));
    expect(canonicalExpression('postgresql', x, 'timestamp(6)')).toContain(`to_char(a."col", 'YYYY-MM-DD"T"HH24:MI:SS.US')`);
    expect(canonicalExpression('postgresql', x, 'date')).toContain(`to_char(a."col", 'YYYY-MM-DD')`);
  });

  it('PostgreSQL: bytes, floats, intervals and money by a setting-free form', () => {
    expect(canonicalExpression('postgresql', x, 'bytea')).toBe(`encode(a."col", 'hex')`);
    expect(canonicalExpression('postgresql', x, 'double precision')).toBe(`encode(float8send(a."col"), 'hex')`);
    expect(canonicalExpression('postgresql', x, 'real')).toBe(`encode(float4send(a."col"), 'hex')`);
    expect(canonicalExpression('postgresql', x, 'interval')).toBe(`encode(interval_send(a."col"), 'hex')`);
    expect(canonicalExpression('postgresql', x, 'timestamptz(3)[]')).toBe(`encode(array_send(a."col"), 'hex')`);
    expect(canonicalExpression('postgresql', x, 'text[]')).toBe(`cast(a."col" as text)`);
  });

  it('PostgreSQL: everything else as text', () => {
    for (const type of ['varchar(255)', 'text', 'numeric(10,2)', 'int', 'bigint', 'boolean', 'jsonb', 'json', 'uuid', 'char(1)']) {
      expect(canonicalExpression('postgresql', x, type)).toBe(`cast(a."col" as text)`);
    }
  });

  it('MySQL/MariaDB: datetime by date_format, TIMESTAMP as Unix time, bytes as hex, else utf8mb4 text', () => {
    expect(canonicalExpression('mysql', x, 'datetime(3)')).toBe(`date_format(a."col", '%Y-%m-%dT%H:%i:%s.%f')`);
    expect(canonicalExpression('mysql', x, 'DATETIME')).toBe(`date_format(a."col", '%Y-%m-%dT%H:%i:%s.%f')`);
    expect(canonicalExpression('mysql', x, 'timestamp(3)')).toBe(`cast(unix_timestamp(a."col") as char)`);
    expect(canonicalExpression('mysql', x, 'date')).toBe(`date_format(a."col", '%Y-%m-%d')`);
    for (const type of ['blob', 'longblob', 'varbinary(16)', 'binary(16)']) {
      expect(canonicalExpression('mysql', x, type)).toBe(`hex(a."col")`);
    }
    for (const type of ['varchar(255)', 'int unsigned', 'tinyint(1)', 'json', 'decimal(10,2)', 'double']) {
      expect(canonicalExpression('mysql', x, type)).toBe(`cast(a."col" as char character set utf8mb4)`);
    }
  });

  it('SQLite: quote(), which keeps the storage class', () => {
    expect(canonicalExpression('sqlite', x, 'datetime')).toBe(`quote(a."col")`);
  });

  it('writes no placeholder and no double-quoted string of its own', () => {
    for (const dialect of ['postgresql', 'mysql', 'sqlite'] as const) {
      for (const type of ['timestamptz', 'datetime(3)', 'date', 'timestamp', 'bytea', 'blob', 'text', 'float8', 'interval', 'date[]']) {
        const sql = canonicalExpression(dialect, 'c', type);
        expect(sql).not.toContain('?');
        expect(sql.replace(/'[^']*'/g, '')).not.toContain('"');
      }
    }
  });
});
