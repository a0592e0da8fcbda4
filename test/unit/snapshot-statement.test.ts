import { describe, expect, it } from 'vitest';
import { buildSnapshotInsert, toPostgresArray, type SnapshotStatementShape } from '../../src/sql/snapshotInsert.js';
import type { Dialect } from '../../src/sql/Dialect.js';

const shape = (dialect: Dialect): SnapshotStatementShape => ({
  dialect,
  quote: id => `"${id}"`,
  auditTable: 'person_audit',
  sourceTable: 'person',
  copiedColumns: ['id', 'name'],
  keyColumns: [{ name: 'id', castType: 'int' }],
  statementColumns: [{ name: '_audit_timestamp', castType: 'timestamptz(3)' }],
  rowColumns: [
    { name: '_audit_change_type', castType: 'char(1)' },
    { name: 'username', castType: 'varchar(30)' },
  ],
});

const rows = (n: number, user: (i: number) => string) => ({
  keys: Array.from({ length: n }, (_, i) => [i + 1]),
  values: Array.from({ length: n }, (_, i) => ['I', user(i)]),
});

describe('buildSnapshotInsert', () => {
  it('sends PostgreSQL a fixed number of parameters, whatever the number of rows', () => {
    const { sql, params } = buildSnapshotInsert(shape('postgresql'), [new Date(0)], rows(10_000, i => `u${i}`));
    expect(params).toHaveLength(4); // timestamp, change type (same in every row), key array, username array
    expect(sql).toBe(
      'insert into "person_audit" ("id", "name", "_audit_timestamp", "_audit_change_type", "username") ' +
        'select s."id", s."name", cast(? as timestamptz), cast(? as bpchar), v."r1" from "person" as s ' +
        'join unnest(cast(? as int[]), cast(? as varchar[])) with ordinality as v("k0", "r1", "o") on s."id" = v."k0" order by v."o"',
    );
  });

  it('uses an IN list when every row has the same values (SQLite, MariaDB)', () => {
    for (const dialect of ['sqlite', 'mysql'] as const) {
      const { sql, params } = buildSnapshotInsert(shape(dialect), [new Date(0)], rows(3, () => 'alice'));
      expect(sql).toMatch(/select s\."id", s\."name", \?, \?, \? from "person" as s where s\."id" in \(\?, \?, \?\) order by s\."id"$/);
      expect(params).toEqual([new Date(0), 'I', 'alice', 1, 2, 3]);
    }
  });

  it('joins a derived table when values differ between rows', () => {
    const sqlite = buildSnapshotInsert(shape('sqlite'), [new Date(0)], rows(2, i => `u${i}`));
    expect(sqlite.sql).toContain('join (select column1 as "o", column2 as "k0", column3 as "r1" from (values (0, ?, ?), (1, ?, ?))) as v');
    expect(sqlite.params).toEqual([new Date(0), 'I', 1, 'u0', 2, 'u1']);
  });

  it('reads the rows of a MySQL/MariaDB batch from one JSON document (JSON_TABLE) when their values allow it', () => {
    const mysql = buildSnapshotInsert(shape('mysql'), [new Date(0)], rows(2, i => (i === 0 ? 'u"0\\' : null) as string));
    expect(mysql.sql).toContain(
      `from json_table(?, '$[*]' columns("o" for ordinality, "k0" bigint path '$[0]', "r1" longtext character set utf8mb4 path '$[1]')) as v straight_join "person" as s force index (primary) on s."id" = v."k0" order by v."o"`,
    );
    expect(mysql.params).toEqual([new Date(0), 'I', '[[1,"u\\"0\\\\"],[2,null]]']);
  });

  it('keeps the UNION ALL derived table where a value could change on its way through JSON', () => {
    const unsafe: unknown[][] = [[new Date(0)], ['\ud800'], [2 ** 53], [1n]];
    for (const [value] of unsafe) {
      const batch = { keys: [[1], [typeof value === 'number' || typeof value === 'bigint' ? value : 2]], values: [['I', 'a'], ['I', typeof value === 'string' || value instanceof Date ? value : 'b']] };
      const mysql = buildSnapshotInsert(shape('mysql'), [new Date(0)], batch as never);
      expect(mysql.sql).toContain('join (select 0 as "o", ? as "k0", ? as "r1" union all select 1, ?, ?) as v');
    }
  });

  it('matches composite keys as tuples', () => {
    const composite = { ...shape('mysql'), keyColumns: [{ name: 'a', castType: 'int' }, { name: 'b', castType: 'varchar(5)' }] };
    const { sql, params } = buildSnapshotInsert(composite, [0], { keys: [[1, 'x'], [2, 'y']], values: [['U', null], ['U', null]] });
    expect(sql).toMatch(/where \(s\."a", s\."b"\) in \(\(\?, \?\), \(\?, \?\)\) order by s\."a", s\."b"$/);
    expect(params.slice(3)).toEqual([1, 'x', 2, 'y']);
  });
});

describe('toPostgresArray', () => {
  it('quotes every element and escapes quotes and backslashes', () => {
    expect(toPostgresArray([1, null, 'a"b\\c', '{x,y}', new Date('2026-01-02T03:04:05.678Z'), true], date => date.toISOString())).toBe(
      '{"1",NULL,"a\\"b\\\\c","{x,y}","2026-01-02T03:04:05.678Z","true"}',
    );
  });
});
