import type { EntityManager } from '@mikro-orm/core';
import type { AuditContextData } from '../context/AuditContext.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { dialectOf } from '../mikro-orm/dialectOf.js';
import { buildRecordedMark } from '../sql/backstopTriggers.js';

/**
 * Tells the backstop triggers that the statements about to run on `transaction` are recorded by the library
 * (`recorded` true), or no longer (false), and who makes them and why.
 */
export async function markRecorded(em: EntityManager, transaction: object, recorded: boolean, context: AuditContextData | undefined): Promise<void> {
  const actor = context?.user === undefined || context.user === null ? null : String(context.user);
  const statement = buildRecordedMark(dialectOf(em.getPlatform())!, recorded, actor, context?.reason ?? null);
  await executeStatement(em, transaction, statement, 'run');
}

/**
 * Clears the mark as its transaction ends. PostgreSQL's setting is transaction-local and ends with it: nothing
 * to run, and nothing may run on a transaction that failed (it would fail with 25P02 before the rollback, and
 * the connection would never return to the pool). A MySQL session variable outlives the transaction on a
 * pooled connection, so it is reset, which an aborted MySQL transaction still accepts.
 */
export async function clearRecordedMark(em: EntityManager, transaction: object): Promise<void> {
  if (dialectOf(em.getPlatform()) !== 'postgresql') {
    await markRecorded(em, transaction, false, undefined);
  }
}
