import { LockMode, type EntityManager, type EntityMetadata, type EntityName } from '@mikro-orm/core';
import { auditContext } from '../context/AuditContext.js';
import type { AuditPlans } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';
import { hookQueryBuilder, runBuilderOn, type QueryBuilderCalls, type QueryBuilderLike } from '../mikro-orm/queryBuilderClass.js';
import type { AfterStatements, BeforeStatements } from '../write/AuditedChange.js';
import { auditWriterOf, type AuditWriter } from '../write/AuditWriter.js';
import { unauditedWritesAllowed, auditedWrite } from '../write/AuditWriteGuard.js';
import { builderInsertKeys } from './builderInsertKeys.js';
import { entityMetadataOf } from './entityMetadataOf.js';
import { refuseCascadingKeyChange } from './keyChanges.js';

/**
 * Makes a query builder of an audited entity record its `insert()`, `update()` and `delete()` like the native
 * writes do: keys of updated or deleted rows read first with the same conditions (a clone of the builder turned
 * into a select), keys of inserted rows from the rows given and the result. The builder runs on the transaction
 * it was created in, so its audit rows are written there; created outside a transaction, it opens one of its
 * own for its statement and audit rows, as `em.nativeUpdate()` does.
 */
export function auditQueryBuilder<Q extends object>(qb: Q, em: EntityManager, entityName: EntityName<object>): Q {
  const writer = auditWriterOf(em);
  const meta = writer && entityMetadataOf(em, entityName);
  if (!writer || !meta || !(writer.plans.bySource.has(meta.className) || reachesAudited(writer.plans, meta, 'delete') || reachesAudited(writer.plans, meta, 'key'))) {
    return qb;
  }
  const transaction = em.getTransactionContext<object>();
  return hookQueryBuilder(qb, {
    execute: (builder, calls, execute) => executeAudited(writer, em, transaction, meta, builder, calls, execute),
  });
}

async function executeAudited(
  writer: AuditWriter,
  em: EntityManager,
  transaction: object | undefined,
  meta: EntityMetadata,
  qb: QueryBuilderLike,
  calls: QueryBuilderCalls,
  execute: () => Promise<unknown>,
): Promise<unknown> {
  const type = qb.type?.toUpperCase();
  if (type !== 'UPDATE' && type !== 'DELETE' && type !== 'INSERT') {
    return execute();
  }
  if (type === 'UPDATE' && calls.updated) {
    refuseCascadingKeyChange(meta, writer.plans, calls.updated);
  }
  const audited = writer.plans.bySource.has(meta.className);
  if (!audited && (type !== 'DELETE' || !reachesAudited(writer.plans, meta, 'delete'))) {
    return execute();
  }
  // An insert … on conflict merge may update existing rows and cannot say which; an insert from a subquery
  // (`insertFrom()`) cannot say which rows it inserted. Refused rather than recorded wrongly.
  const unrecordable = type === 'INSERT' && audited && (calls.conflict || !calls.inserted);
  if (!transaction && !em.getTransactionContext() && !unrecordable && !unauditedWritesAllowed()) {
    return em.transactional(trx => {
      const own = trx.getTransactionContext<object>()!;
      runBuilderOn(qb, own);
      return executeAudited(writer, trx, own, meta, qb, calls, execute);
    });
  }
  if (!transaction || transaction !== em.getTransactionContext() || unrecordable) {
    return runUnaudited(writer, meta, calls, unrecordable ? undefined : `${type.toLowerCase()}()`, execute);
  }
  const session = writer.begin(em, auditContext.current());
  writer.checkActor(em, meta.className, session.context);
  // In a savepoint: a builder whose statement fails (a unique violation the caller catches) leaves neither the
  // change nor audit rows behind, and the transaction can go on.
  return session.inSavepoint(transaction, async () => {
    const keyNames = meta.getPrimaryProps().map(prop => prop.name);
    const keys = type === 'INSERT' ? [] : await lockedKeys(qb, keyNames, writer.plans.names.dialect);
    if (type !== 'INSERT') {
      // The statement changes exactly the rows read and locked: a row another transaction moved into its
      // condition meanwhile is left alone, as if it had run when the rows were read.
      qb.andWhere(keyCondition(keyNames, keys));
    }
    const before: BeforeStatements = type === 'DELETE' ? { deleting: [{ meta, changes: keys.map(key => ({ key, changeType: 'D' })) }] } : {};
    await session.before(transaction, before, true);
    const result = await auditedWrite(execute);
    let after: AfterStatements = {};
    if (type === 'UPDATE') {
      after = { changed: [{ meta, changes: keys.map(key => ({ key, changeType: 'U' })) }] };
    } else if (type === 'INSERT') {
      const keys = await builderInsertKeys(em, transaction, meta, calls.inserted!, result, writer.plans.names.dialect === 'mysql');
      after = { changed: [{ meta, changes: keys.map(key => ({ key, changeType: 'I' })) }] };
    }
    await session.after(transaction, after);
    return result;
  });
}

// Whether deleting a row of `meta`, or changing its key, makes the database change rows of an audited entity.
function reachesAudited({ bySource, cascades, keyCascades }: AuditPlans, meta: EntityMetadata, change: 'delete' | 'key'): boolean {
  const root = meta.root.className;
  return change === 'delete' ? cascades.reachesAudited(root, bySource) : keyCascades.auditedDependent(root, bySource) !== undefined;
}

// A write that cannot be recorded (`outsideCall`: run outside the transaction it was created in; else an upsert
// or insert from a subquery): refused in strict mode, else run as it is.
function runUnaudited(writer: AuditWriter, meta: EntityMetadata, calls: QueryBuilderCalls, outsideCall: string | undefined, execute: () => Promise<unknown>): Promise<unknown> {
  if (!writer.plans.strict || unauditedWritesAllowed()) {
    return execute();
  }
  if (calls.conflict) {
    throw AuditTrailError.queryBuilderUpsert(meta.className);
  }
  throw outsideCall ? AuditTrailError.queryBuilderOutsideTransaction(meta.className, outsideCall) : AuditTrailError.queryBuilderInsertFrom(meta.className);
}

// The keys of the rows the builder will change, read with its own conditions and locked (SQLite locks the whole
// database for a writer instead).
async function lockedKeys(qb: QueryBuilderLike, keyNames: string[], dialect: string): Promise<unknown[][]> {
  const select = qb.clone().select(keyNames);
  const rows = (await (dialect === 'sqlite' ? select : select.setLockMode(LockMode.PESSIMISTIC_WRITE)).execute('all')) as Record<string, unknown>[];
  return rows.map(row => keyNames.map(name => row[name]));
}

function keyCondition(keyNames: string[], keys: unknown[][]): object {
  if (keyNames.length === 1 || keys.length === 0) {
    return { [keyNames[0]!]: { $in: keys.map(key => key[0]) } };
  }
  return { $or: keys.map(key => Object.fromEntries(keyNames.map((name, i) => [name, key[i]]))) };
}

/** The entity a `createQueryBuilder()` call is for: its first argument, or the entity of a builder passed instead. */
export function queryBuilderEntity(first: unknown): EntityName<object> | undefined {
  return typeof first === 'string' || typeof first === 'function' || (typeof first === 'object' && first !== null && 'meta' in first)
    ? (first as EntityName<object>)
    : undefined;
}
