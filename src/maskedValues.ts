import type { EntityManager, Transaction } from '@mikro-orm/core';
import type { AuditPlan } from './AuditPlan.js';
import { AUDIT_SQL_MARKER } from './AuditWriteGuard.js';
import { toDatabaseValues } from './databaseValues.js';
import type { SnapshotRows } from './FlushAudit.js';
import { keyString } from './keyString.js';

const KEYS_PER_QUERY = 1000;

/**
 * Appends each row's masked values to its row values. The masked columns are read from the source rows inside
 * the change's transaction (the entity in memory may not hold them: partial loads, references), masked here,
 * and only the masked values are sent to the audit table: the originals never reach it.
 */
export async function addMaskedValues(em: EntityManager, transaction: unknown, plan: AuditPlan, rows: SnapshotRows): Promise<void> {
  if (plan.masks.length === 0 || rows.keys.length === 0) {
    return;
  }
  const { quote: q, keyColumns, sourceTable } = plan.shape;
  const columns = [...keyColumns.map(column => column.name), ...plan.masks.map(masked => masked.sourceColumn)];
  const select = columns.map((column, i) => `${q(column)} as ${q(`c${i}`)}`).join(', ');
  const found = new Map<string, unknown[]>();
  for (let start = 0; start < rows.keys.length; start += KEYS_PER_QUERY) {
    const keys = rows.keys.slice(start, start + KEYS_PER_QUERY);
    const single = keyColumns.length === 1;
    const target = single ? q(keyColumns[0]!.name) : `(${keyColumns.map(column => q(column.name)).join(', ')})`;
    const tuples = keys.map(key => (single ? '?' : `(${key.map(() => '?').join(', ')})`));
    const sql = `select ${select} from ${q(sourceTable)} where ${target} in (${tuples.join(', ')}) ${AUDIT_SQL_MARKER}`;
    const result = (await em.getConnection('write').execute(sql, keys.flat(), 'all', transaction as Transaction)) as Record<string, unknown>[];
    for (const row of result) {
      const values = columns.map((_, i) => row[`c${i}`]);
      found.set(keyString(values.slice(0, keyColumns.length)), values.slice(keyColumns.length));
    }
  }
  rows.keys.forEach((key, i) => {
    // A row that is gone is not copied at all; the snapshot statement reports it.
    const raw = found.get(keyString(key));
    rows.values[i]!.push(...plan.masks.flatMap((masked, j) => (raw ? toDatabaseValues(masked.prop, masked.mask(raw[j]), plan.platform) : [null])));
  });
}
