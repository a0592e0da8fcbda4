import { describe, expect, it } from 'vitest';
import { assignedValueExpression } from '../../src/sql/canonicalValues.js';
import { buildChainColumnsQuery, buildChainRowsQuery } from '../../src/sql/chainRowsQuery.js';
import { clockParameter } from '../../src/sql/databaseClock.js';
import { buildCanonicalSelect, buildValuesCanonicalSelect } from '../../src/sql/snapshotCanonicalSelect.js';
import { buildSnapshotInsert } from '../../src/sql/snapshotInsert.js';
import { buildSnapshotSelect, type SnapshotStatementShape } from '../../src/sql/snapshotSelect.js';
import { SqlExpression } from '../../src/sql/SqlStatement.js';
import type { Dialect } from '../../src/sql/Dialect.js';

const shape = (dialect: Dialect): SnapshotStatementShape => ({
  dialect,
  quote: id => `"${id}"`,
  auditTable: 'person_audit',
  sourceTable: 'person',
  copiedColumns: ['id', 'name'],
  keyColumns: [{ name: 'id', castType: 'int' }],
  statementColumns: [{ name: '_audit_timestamp', castType: 'timestamptz(3)' }, { name: '_audit_transaction', castType: 'varchar(36)' }],
  rowColumns: [{ name: '_audit_change_type', castType: 'char(1)' }],
});
const chain = { copiedColumnTypes: ['int', 'varchar(255)'], hashColumn: { name: '_audit_hash', castType: 'varchar(64)' } };
const batch = { keys: [[1], [2]], values: [['I'], ['I']] };
const clock = new SqlExpression('now()');

describe('the tamper pre-read', () => {
  it('reads the same rows, in the same order, with the same parameters, as the INSERT', () => {
    for (const dialect of ['sqlite', 'mysql', 'postgresql'] as const) {
      const select = buildSnapshotSelect(shape(dialect), [clock, 'tx'], batch, true);
      const pre = buildCanonicalSelect(shape(dialect), chain, select, 'tx');
      const insert = buildSnapshotInsert(shape(dialect), [clock, 'tx'], batch, true);
      const from = insert.sql.slice(insert.sql.indexOf(' from '));
      expect(from.length).toBeGreaterThan(20);
      expect(pre.sql).toContain(from);
      expect(pre.params.slice(-select.fromParams.length)).toEqual(select.fromParams);
      // The head: the transaction's newest chained row, the first parameter, read in the first row returned.
      expect(pre.sql).toContain(
        ' then (select "_audit_hash" from "person_audit" where "_audit_transaction" = ? and "_audit_hash" is not null order by "_audit_id" desc limit 1) end as "h"',
      );
      expect(pre.sql).toContain(`case when ${select.rowIndex} = 0 then (select "_audit_hash"`);
      // When the batch's first row may be gone, every row carries the shared values.
      const anyFirst = buildCanonicalSelect(shape(dialect), chain, select, 'tx', true);
      expect(anyFirst.sql).toContain(`select ${select.rowIndex} as "o", (select "_audit_hash"`);
      expect(anyFirst.sql).not.toContain(' = 0 then ');
      expect(pre.params[0]).toBe('tx');
      expect(pre.sql.endsWith(dialect === 'mysql' ? ' for update' : 'order by v."o"')).toBe(true);
      expect(pre.sql.split('?').length - 1).toBe(pre.params.length);
    }
  });

  it('takes each row’s batch index from the derived table (PostgreSQL ordinality counts from 1)', () => {
    expect(buildSnapshotSelect(shape('postgresql'), [clock, 'tx'], batch, true).rowIndex).toBe('v."o" - 1');
    expect(buildSnapshotSelect(shape('sqlite'), [clock, 'tx'], batch, true).rowIndex).toBe('v."o"');
    expect(buildSnapshotSelect(shape('sqlite'), [clock, 'tx'], batch, false).rowIndex).toBeUndefined();
    expect(() => buildCanonicalSelect(shape('sqlite'), chain, buildSnapshotSelect(shape('sqlite'), [clock, 'tx'], batch), 'tx')).toThrow(/join/);
  });

  it('repeats a parameter as often as its canonical expression names it', () => {
    const pre = buildCanonicalSelect(shape('postgresql'), chain, buildSnapshotSelect(shape('postgresql'), [clock, 'tx'], batch, true), 'tx');
    // The transaction id once for the head, once in its canonical expression; the change type once; the key array.
    expect(pre.params).toHaveLength(4);
    // A value the statement shares is read in the first row only.
    expect(pre.sql).toContain('case when v."o" - 1 = 0 then cast(cast((cast(? as varchar)) as varchar(36)) as text) end as "c3"');
  });

  it('packs SQLite’s canonical texts into one column for the row and one for the shared values', () => {
    const pre = buildCanonicalSelect(shape('sqlite'), chain, buildSnapshotSelect(shape('sqlite'), [clock, 'tx'], batch, true), 'tx');
    expect(pre.sql).toContain(`quote(s."id") || ',' || quote(s."name") as "c", case when v."o" = 0 then quote(`);
    expect(pre.sql).toContain(' end as "s" from "person" as s');
    expect(pre.sql.split('?').length - 1).toBe(pre.params.length);
  });

  it('for rows given by value: one UNION ALL term per row, the head in the first', () => {
    const columns = [{ name: 'a', castType: 'int' }, { name: '_audit_timestamp', castType: 'datetime(3)' }];
    const pre = buildValuesCanonicalSelect({ dialect: 'mysql', quote: id => `\`${id}\``, auditTable: 'x_audit' }, columns, [[1, clock], [2, clock]], 'tx');
    expect(pre.sql.split(' union all ')).toHaveLength(2);
    expect(pre.sql).toMatch(/^select 0 as `o`, \(select `_audit_hash` from `x_audit` .*\) as `h`, .* union all select 1 as `o`, null, /);
    expect(pre.sql.endsWith('order by `o`')).toBe(true);
    expect(pre.params).toEqual(['tx', 1, 2]);
  });
});

describe('assignedValueExpression', () => {
  it('casts to the full type on PostgreSQL and MariaDB where storing changes the value', () => {
    expect(assignedValueExpression('postgresql', 'x', 'numeric(10,2)')).toBe('cast(x as numeric(10,2))');
    expect(assignedValueExpression('mysql', 'x', 'datetime(3)')).toBe('cast(x as datetime(3))');
    expect(assignedValueExpression('mysql', 'x', 'decimal(10,2)')).toBe('cast(x as decimal(10,2))');
    expect(assignedValueExpression('mysql', 'x', 'int unsigned')).toBe('cast(x as decimal(65,0))');
    expect(assignedValueExpression('mysql', 'x', 'char(1)')).toBe('rtrim(x)');
    expect(assignedValueExpression('mysql', 'x', 'varchar(255)')).toBe('x');
  });

  it('applies the column affinity on SQLite', () => {
    expect(assignedValueExpression('sqlite', 'x', 'blob')).toBe('x');
    expect(assignedValueExpression('sqlite', 'x', 'varchar(36)')).toContain("typeof(x) in ('integer', 'real') then cast(x as text)");
    expect(assignedValueExpression('sqlite', 'x', 'datetime')).toContain('cast(x as numeric)');
    expect(assignedValueExpression('sqlite', 'x', 'double')).toContain('cast(x as real)');
  });
});

describe('clockParameter', () => {
  it('passes the pre-read clock to the INSERT in a form no session setting reads differently', () => {
    expect(clockParameter('postgresql', 'timestamptz(3)', '2020-03-04T05:06:07.123000')).toBe('2020-03-04T05:06:07.123000Z');
    expect(clockParameter('postgresql', 'timestamp(3)', '2020-03-04T05:06:07.123000')).toBe('2020-03-04T05:06:07.123000');
    expect(clockParameter('mysql', 'datetime(3)', '2020-03-04T05:06:07.123000')).toBe('2020-03-04T05:06:07.123000');
    expect(clockParameter('sqlite', 'datetime', '1700000000123')).toBe(1_700_000_000_123);
    expect(() => clockParameter('mysql', 'timestamp(3)', '1700000000.123')).toThrow(/cannot pass the clock/);
    expect(() => clockParameter('sqlite', 'datetime', "'x'")).toThrow(/cannot pass the clock/);
  });
});

describe('the chain rows reader', () => {
  const names = { dialect: 'postgresql' as const, quote: (id: string) => `"${id}"` };

  it('reads a keyset batch in chain order with each column’s canonical text', () => {
    const { sql, params } = buildChainRowsQuery(names, 'person_audit', [{ name: 'name', type: 'character varying(255)' }], {
      after: { transaction: 't1', id: 7 },
      limit: 500,
      chainedOnly: true,
    });
    expect(sql).toBe(
      'select "_audit_id" as "i", "_audit_transaction" as "t", "_audit_hash" as "h", cast("name" as text) as "c0" from "person_audit" ' +
        'where "_audit_transaction" is not null and "_audit_hash" is not null and ("_audit_transaction" > ? or ("_audit_transaction" = ? and "_audit_id" > ?)) ' +
        'order by "_audit_transaction", "_audit_id" limit 500',
    );
    expect(params).toEqual(['t1', 't1', 7]);
  });

  it('reads the columns from the catalog', () => {
    expect(buildChainColumnsQuery(names, 'app.person_audit').params).toEqual(['"app.person_audit"']);
    expect(buildChainColumnsQuery({ dialect: 'mysql', quote: id => id }, 'app.person_audit').params).toEqual(['app', 'person_audit']);
    expect(buildChainColumnsQuery({ dialect: 'sqlite', quote: id => id }, 'person_audit').sql).toContain('pragma_table_info(?)');
  });
});
