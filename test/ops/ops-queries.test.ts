// Issue 14: the statements of backfillAudit() and pruneAudit() batches, text and values apart.
import { describe, expect, it } from 'vitest';
import { buildCountWithoutHistory, buildRowsWithoutHistory } from '../../src/sql/backfillQueries.js';
import type { HistoryTable } from '../../src/sql/historyQueries.js';
import { buildCountInRange, buildRowsToPrune } from '../../src/sql/pruneQueries.js';

const table = (keyColumns: string[], dialect: HistoryTable['dialect'] = 'postgresql'): HistoryTable => ({
  dialect,
  quote: (name: string) => `"${name}"`,
  auditTable: 'seat_audit',
  sourceTable: 'seat',
  keyColumns,
});

describe('backfill statements', () => {
  it('reads the first batch of rows without history in key order', () => {
    expect(buildRowsWithoutHistory(table(['id']), undefined, 100)).toEqual({
      sql: 'select "s"."id" as "c0" from "seat" "s" where not exists (select 1 from "seat_audit" "a" where "a"."id" = "s"."id") order by "s"."id" limit ?',
      params: [100],
    });
  });

  it('continues after a composite key without a row-value comparison, the values as parameters', () => {
    const { sql, params } = buildRowsWithoutHistory(table(['hall', 'row', 'num']), ['b', 2, 7], 10);
    expect(sql).toContain(
      'where (("s"."hall" > ?) or ("s"."hall" = ? and "s"."row" > ?) or ("s"."hall" = ? and "s"."row" = ? and "s"."num" > ?)) and not exists',
    );
    expect(sql).toContain('"a"."hall" = "s"."hall" and "a"."row" = "s"."row" and "a"."num" = "s"."num"');
    expect(sql).toMatch(/order by "s"."hall", "s"."row", "s"."num" limit \?$/);
    expect(params).toEqual(['b', 'b', 2, 'b', 2, 7, 10]);
  });

  it('counts the rows without history', () => {
    expect(buildCountWithoutHistory(table(['id'])).sql).toBe(
      'select count(*) as "n" from "seat" "s" where not exists (select 1 from "seat_audit" "a" where "a"."id" = "s"."id")',
    );
  });
});

describe('prune statements', () => {
  it('locks the rows of a batch (not on SQLite) and reads the hash column as hash, or null', () => {
    expect(buildRowsToPrune(table(['id']), [3, 4], '_audit_hash')).toEqual({
      sql: 'select "_audit_id" as "id", "_audit_hash" as "hash" from "seat_audit" where "_audit_id" in (?, ?) order by "_audit_id" for update',
      params: [3, 4],
    });
    expect(buildRowsToPrune(table(['id'], 'sqlite'), [3], undefined).sql).toBe(
      'select "_audit_id" as "id", null as "hash" from "seat_audit" where "_audit_id" in (?) order by "_audit_id"',
    );
  });

  it('counts the audit rows of a range of the first key column', () => {
    expect(buildCountInRange(table(['hall', 'num']), { after: 'a', upTo: 'c' })).toEqual({
      sql: 'select count(*) as "n" from "seat_audit" where "hall" > ? and "hall" <= ?',
      params: ['a', 'c'],
    });
    expect(buildCountInRange(table(['id']), {}).sql).toBe('select count(*) as "n" from "seat_audit"');
  });
});
