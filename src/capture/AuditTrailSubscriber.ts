import {
  ChangeSetType,
  type ChangeSet,
  type EntityManager,
  type EventArgs,
  type EventSubscriber,
  type FlushEventArgs,
  type TransactionEventArgs,
  type UnitOfWork,
} from '@mikro-orm/core';
import { auditContext } from '../context/AuditContext.js';
import type { ChangeType } from '../define/AuditColumns.js';
import { AuditTrailError } from '../errors/index.js';
import { primaryKeyValues } from '../mikro-orm/entityKeys.js';
import type { ChangedRows } from '../write/AuditedChange.js';
import { auditWriterOf, type AuditWriter } from '../write/AuditWriter.js';
import { keyString } from '../write/keyString.js';
import type { WriteSession } from '../write/WriteSession.js';
import { auditedEntityOfFlush } from './auditedEntityOfFlush.js';
import { refuseCascadingKeyChange } from './keyChanges.js';
import { collectPivotOwners } from './pivotOwners.js';

const CHANGE_TYPES: Readonly<Record<string, ChangeType | undefined>> = {
  [ChangeSetType.CREATE]: 'I',
  [ChangeSetType.UPDATE]: 'U',
  [ChangeSetType.UPDATE_EARLY]: 'U',
};
const DELETE_TYPES: Readonly<Record<string, ChangeType | undefined>> = {
  [ChangeSetType.DELETE]: 'D',
  [ChangeSetType.DELETE_EARLY]: 'D',
};
const OPERATIONS: Readonly<Record<string, string>> = {
  [ChangeSetType.CREATE]: 'created',
  [ChangeSetType.UPDATE]: 'changed',
  [ChangeSetType.UPDATE_EARLY]: 'changed',
  [ChangeSetType.DELETE]: 'removed',
  [ChangeSetType.DELETE_EARLY]: 'removed',
};

/**
 * The flush adapter: translates MikroORM's flush and transaction events into change intents for the audit
 * writer. Pivot rows are read right before MikroORM writes them (see `collectionSync.ts`); rows about to be
 * deleted right before MikroORM deletes them (at the first `beforeDelete` of each entity's batch; the others
 * return at once);
 * inserts and updates once its statements ran, before the commit (or, inside an outer transaction, before the
 * flush returns). Registered by `withAuditTrail()`.
 */
export class AuditTrailSubscriber implements EventSubscriber {
  // Keyed by the flushing EntityManager (each fork has its own unit of work); a failed flush leaves its entry
  // to be replaced by the next `onFlush`, and the WeakMap lets abandoned forks go.
  readonly #sessions = new WeakMap<EntityManager, WriteSession>();
  // Per session, the delete batches (entity and change set type) already described.
  readonly #deleteBatches = new WeakMap<WriteSession, Set<string>>();

  async onFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const writer = auditWriterOf(em);
    if (!writer) {
      return;
    }
    const changeSets = uow.getChangeSets();
    for (const changeSet of changeSets) {
      if (writer.plans.auditEntities.has(changeSet.meta.className)) {
        throw AuditTrailError.readOnly(changeSet.meta.className, OPERATIONS[changeSet.type] ?? 'changed');
      }
      // A flush's update payload holds only changed values: a key in it is a key change.
      if (changeSet.type === ChangeSetType.UPDATE && changeSet.payload) {
        refuseCascadingKeyChange(changeSet.meta, writer.plans, changeSet.payload);
      }
    }
    const context = auditContext.current();
    const audited = auditedEntityOfFlush(em, uow, writer.plans, changeSets);
    if (audited) {
      // Before the flush opens its transaction: a refused actor leaves nothing written.
      writer.checkActor(em, audited, context);
    }
    const session = writer.begin(em, context);
    this.#sessions.set(em, session);
    // Inside em.transactional() / em.begin() the flush opens no transaction of its own: the outer one is
    // already open, so the rows about to be deleted can be described now.
    const outer = em.getTransactionContext<object>();
    if (em.isInTransaction() && outer) {
      await this.#before(writer, session, em, uow, outer, false);
    }
  }

  beforeTransactionStart({ em, transaction }: TransactionEventArgs): void {
    auditWriterOf(em)?.transactionIds.opening(em, transaction);
  }

  async afterTransactionStart({ em, uow, transaction }: TransactionEventArgs): Promise<void> {
    const writer = auditWriterOf(em);
    writer?.transactionIds.opened(em, transaction);
    const session = this.#sessions.get(em);
    if (!writer || !session || !uow || !transaction) {
      return;
    }
    try {
      await this.#before(writer, session, em, uow, transaction as object, true);
    } catch (error) {
      // MikroORM's connection.begin() dispatches this event before handing the transaction to the code that
      // would roll it back, so an error thrown here would leave it open and its pooled connection taken
      // (SQLite, with one connection, then hangs). Roll back first, then fail the flush with the real error.
      await em.getConnection('write').rollback(transaction as never);
      throw error;
    }
  }

  // MikroORM 6 passes `uow` only for a flush's own transaction; MikroORM 7 passes the EntityManager's unit of
  // work for every transaction. Either way, only a flush that is under way has changes to write here.
  async beforeTransactionCommit({ em, uow, transaction }: TransactionEventArgs): Promise<void> {
    const writer = auditWriterOf(em);
    writer?.checkCommit(transaction);
    const session = this.#sessions.get(em);
    if (uow && session) {
      await session.after(transaction, { changed: changedRows(uow), updatesMayBeGone: true });
    }
    await writer?.ending(em, transaction);
  }

  async beforeTransactionRollback({ em, transaction }: TransactionEventArgs): Promise<void> {
    await auditWriterOf(em)?.ending(em, transaction);
  }

  async afterFlush({ em, uow }: FlushEventArgs): Promise<void> {
    // Reached with changes still unwritten only when the flush ran inside an outer transaction
    // (em.transactional, em.begin): that transaction is still open here. A flush-owned transaction was
    // handled by beforeTransactionCommit.
    const session = this.#sessions.get(em);
    if (session) {
      await session.after(em.getTransactionContext(), { changed: changedRows(uow), updatesMayBeGone: true });
      session.finish();
      this.#sessions.delete(em);
    }
  }

  // MikroORM deletes last, one batch per entity: locking those rows at the transaction's start took them before
  // the flush's updates, an order the application's statements do not have (and deadlocks it did not have).
  async beforeDelete({ em, meta, changeSet }: EventArgs<object>): Promise<void> {
    const session = this.#sessions.get(em);
    const batches = session && this.#deleteBatches.get(session);
    const batch = `${meta.className}\u0000${changeSet?.type ?? ''}`;
    if (!session || !batches || !changeSet || batches.has(batch)) {
      return;
    }
    batches.add(batch);
    const changeSets = em.getUnitOfWork().getChangeSets();
    const inBatch = changeSets.filter(other => other.type === changeSet.type && other.meta.className === meta.className);
    await session.beforeDeletes({ deleting: rowsByEntity(inBatch, DELETE_TYPES), changesItself: changedByFlush(changeSets) });
  }

  async #before(writer: AuditWriter, session: WriteSession, em: EntityManager, uow: UnitOfWork, transaction: object, owned: boolean): Promise<void> {
    this.#deleteBatches.set(session, new Set());
    await session.before(transaction, { pivotOwners: writer.plans.pivots.size > 0 ? collectPivotOwners(em, uow, writer.plans) : undefined }, owned);
  }
}

// Inserts and updates are read from the unit of work once its statements ran (entities now carry their
// generated keys), instead of from one event per entity.
function changedRows(uow: UnitOfWork): ChangedRows[] {
  return rowsByEntity(uow.getChangeSets(), CHANGE_TYPES);
}

function rowsByEntity(changeSets: readonly ChangeSet<object>[], types: Readonly<Record<string, ChangeType | undefined>>): ChangedRows[] {
  const byMeta = new Map<object, ChangedRows & { changes: ChangedRows['changes'][number][] }>();
  for (const changeSet of changeSets) {
    const changeType = types[changeSet.type];
    if (!changeType) {
      continue;
    }
    let rows = byMeta.get(changeSet.meta);
    if (!rows) {
      rows = { meta: changeSet.meta, changes: [] };
      byMeta.set(changeSet.meta, rows);
    }
    rows.changes.push({ entity: changeSet.entity, changeType, changedProperties: changeType === 'U' ? Object.keys(changeSet.payload ?? {}) : undefined });
  }
  return [...byMeta.values()];
}

// The keys this flush changes itself, computed only if a database cascade is looked for.
function changedByFlush(changeSets: readonly ChangeSet<object>[]): (className: string, key: readonly unknown[]) => boolean {
  let handled: Set<string> | undefined;
  return (className, key) => {
    if (!handled) {
      handled = new Set();
      for (const changeSet of changeSets) {
        const own = primaryKeyValues(changeSet.entity);
        if (own) {
          handled.add(`${changeSet.meta.className}\u0000${keyString(own)}`);
        }
      }
    }
    return handled.has(`${className}\u0000${keyString(key)}`);
  };
}
