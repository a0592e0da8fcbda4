import type { EntityManager, EntityMetadata } from '@mikro-orm/core';
import { AuditTrailError } from '../errors/index.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { autoIncrementStep } from '../sql/autoIncrementStep.js';

/**
 * The keys of the rows a query builder's `insert()` wrote: those given, else those the database returned
 * (`returning` on PostgreSQL and SQLite). MySQL/MariaDB return only the first generated key (`insertId`); the
 * others follow it `auto_increment_increment` apart, read from the insert's own session on `transaction`.
 */
export async function builderInsertKeys(
  em: EntityManager,
  transaction: object,
  meta: EntityMetadata,
  inserted: readonly Record<string, unknown>[],
  result: unknown,
  mysql: boolean,
): Promise<unknown[][]> {
  const { rows, insertId } = (result ?? {}) as { rows?: Record<string, unknown>[]; insertId?: number };
  const keyProps = meta.getPrimaryProps();
  const known = (row: Record<string, unknown>, i: number) => keyProps.map(prop => row[prop.name] ?? rows?.[i]?.[prop.fieldNames[0]!]);
  let keys = inserted.map(known);
  const generated = keys.some(key => key.some(value => value === undefined || value === null));
  if (mysql && insertId && generated) {
    const step = inserted.length > 1 ? await autoIncrementStepOf(em, transaction) : 1;
    keys = keys.map((key, i) => key.map(value => value ?? insertId + i * step));
  }
  if (keys.some(key => key.some(value => value === undefined || value === null))) {
    throw AuditTrailError.missingPrimaryKey(meta.className);
  }
  return keys;
}

async function autoIncrementStepOf(em: EntityManager, transaction: object): Promise<number> {
  const [row] = await executeStatement(em, transaction, autoIncrementStep(), 'all');
  const step = Number(row?.step);
  return Number.isInteger(step) && step > 0 ? step : 1;
}
