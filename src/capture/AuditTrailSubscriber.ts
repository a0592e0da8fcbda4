import {
  ChangeSetType,
  type EntityManager,
  type EventSubscriber,
  type FlushEventArgs,
  type MetadataStorage,
  type TransactionEventArgs,
  type EntityMetadata,
  type EntityName,
  type UnitOfWork,
} from '@mikro-orm/core';
import { auditContext } from '../context/AuditContext.js';
import type { ChangeType } from '../define/AuditColumns.js';
import type { AuditDiscovery } from '../discover/AuditDiscovery.js';
import type { AuditPlan, AuditPlans } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/errors.js';
import { FlushAudit, type AuditedChange } from '../write/FlushAudit.js';
import { addMaskedValues } from '../write/maskedValues.js';
import { TransactionIds } from '../write/TransactionIds.js';
import { primaryKeyValues } from '../write/databaseValues.js';
import { keyString } from '../write/keyString.js';
import { writeSnapshots, type StatementValues } from '../write/writeSnapshots.js';
import { collectPivotOwners, readPivotRows, writePivotChanges } from '../write/pivotChanges.js';
import { markRecorded } from '../write/triggerBackstop.js';

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
 * Routes MikroORM's flush and transaction events to the audit trail. Every audit row is written on the flush's
 * transaction: rows about to be deleted are copied as soon as that transaction is open, before any statement of
 * the flush; inserts and updates are copied once the flush's statements ran, before the commit (or, inside an
 * outer transaction, before the flush returns). It uses no per-entity event. Registered by `withAuditTrail()`.
 */
export class AuditTrailSubscriber implements EventSubscriber {
  readonly #discovery: AuditDiscovery;
  // Keyed by the flushing EntityManager (each fork has its own unit of work); a failed flush leaves its entry
  // to be replaced by the next `onFlush`, and the WeakMap lets abandoned forks go.
  readonly #flushes = new WeakMap<EntityManager, FlushAudit>();
  // Flushes that started inside an outer transaction and have not finished. MikroORM runs no savepoint per
  // flush, so one that failed there left part of its statements applied, without their audit rows.
  readonly #unfinished = new WeakMap<object, Set<FlushAudit>>();
  readonly #transactionIds = new TransactionIds();
  // Transactions in which the backstop triggers were told the library records the writes (reset before the end:
  // a MySQL session variable outlives the transaction).
  readonly #marked = new WeakSet<object>();

  constructor(discovery: AuditDiscovery) {
    this.#discovery = discovery;
  }

  /**
   * Writes the snapshots of `changes` on `transaction`, as a flush would: one statement per class (per chunk),
   * masked values read first, the flush timestamp, the transaction id and the context's reason shared.
   */
  async writeAudit(em: EntityManager, transaction: object, plan: AuditPlan, changes: readonly AuditedChange[], flush: FlushAudit): Promise<void> {
    if (changes.length === 0) {
      return;
    }
    const shared = this.#shared(transaction, flush);
    const rows = await flush.rows(plan, changes, em);
    await addMaskedValues(em, transaction, plan, rows);
    await writeSnapshots(em, transaction, plan, shared, rows);
  }

  #shared(transaction: object, flush: FlushAudit): StatementValues {
    return { timestamp: flush.timestamp, transactionId: this.#transactionIds.idOf(transaction), reason: flush.context?.reason ?? null };
  }

  /** The audit plans of the ORM that owns `metadata`, once `MikroORM.init` discovered it. */
  plansFor(metadata: MetadataStorage): AuditPlans | undefined {
    return this.#discovery.plansFor(metadata);
  }

  async onFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const plans = this.plansFor(em.getMetadata());
    for (const changeSet of uow.getChangeSets()) {
      if (plans?.auditEntities.has(changeSet.meta.className)) {
        throw AuditTrailError.readOnly(changeSet.meta.className, OPERATIONS[changeSet.type] ?? 'changed');
      }
    }
    const flush = new FlushAudit(auditContext.current());
    this.#flushes.set(em, flush);
    if (plans && plans.pivots.size > 0) {
      flush.pivotOwners = collectPivotOwners(em, uow, plans);
    }
    // Inside em.transactional() / em.begin() the flush opens no transaction of its own: the outer one is
    // already open, so the rows about to be deleted can be copied now.
    const outer = em.getTransactionContext<object>();
    if (em.isInTransaction() && outer) {
      let unfinished = this.#unfinished.get(outer);
      if (!unfinished) {
        unfinished = new Set();
        this.#unfinished.set(outer, unfinished);
      }
      unfinished.add(flush);
      flush.outerTransaction = outer;
      await this.#writeDeletes(em, uow, outer);
      await this.#mark(em, outer, true, flush);
    }
  }

  // A flush-owned transaction has just opened and none of the flush's statements ran yet: the rows about to be
  // deleted still hold their last stored state. One statement per class, instead of one hook per entity.
  beforeTransactionStart({ em, transaction }: TransactionEventArgs): void {
    this.#transactionIds.opening(em, transaction);
  }

  async afterTransactionStart({ em, uow, transaction }: TransactionEventArgs): Promise<void> {
    this.#transactionIds.opened(em, transaction);
    if (!uow || !transaction) {
      return;
    }
    try {
      await this.#writeDeletes(em, uow, transaction);
      const flush = this.#flushes.get(em);
      if (flush) {
        await this.#mark(em, transaction, true, flush);
      }
    } catch (error) {
      // MikroORM's connection.begin() dispatches this event before handing the transaction to the code that
      // would roll it back, so an error thrown here would leave it open and its pooled connection taken
      // (SQLite, with one connection, then hangs). Roll back first, then fail the flush with the real error.
      await em.getConnection('write').rollback(transaction);
      throw error;
    }
  }

  // MikroORM 6 passes `uow` only for a flush's own transaction; MikroORM 7 passes the EntityManager's unit of
  // work for every transaction. Either way, only a flush that is under way has changes to write here.
  async beforeTransactionCommit({ em, uow, transaction }: TransactionEventArgs): Promise<void> {
    // Committing a transaction in which a flush failed would commit its applied statements without history.
    if (transaction && (this.#unfinished.get(transaction as object)?.size ?? 0) > 0) {
      throw AuditTrailError.failedFlushInTransaction();
    }
    if (uow) {
      await this.#writeChanges(em, uow, transaction);
    }
    if (transaction && this.#marked.has(transaction as object)) {
      await this.#mark(em, transaction, false, undefined);
    }
  }

  async beforeTransactionRollback({ em, transaction }: TransactionEventArgs): Promise<void> {
    if (transaction && this.#marked.has(transaction as object)) {
      await this.#mark(em, transaction, false, undefined);
    }
  }

  // With the trigger backstop, the flush's own statements are marked as recorded by the library.
  async #mark(em: EntityManager, transaction: unknown, recorded: boolean, flush: FlushAudit | undefined): Promise<void> {
    if (!this.plansFor(em.getMetadata())?.backstop || !transaction) {
      return;
    }
    await markRecorded(em, transaction, recorded, flush?.context ?? auditContext.current());
    if (recorded) {
      this.#marked.add(transaction as object);
    } else {
      this.#marked.delete(transaction as object);
    }
  }

  async afterFlush({ em, uow }: FlushEventArgs): Promise<void> {
    // Reached with changes still unwritten only when the flush ran inside an outer transaction
    // (em.transactional, em.begin): that transaction is still open here. A flush-owned transaction was
    // handled by beforeTransactionCommit.
    await this.#writeChanges(em, uow, em.getTransactionContext());
    const outer = em.getTransactionContext<object>();
    if (outer && this.#marked.has(outer)) {
      await this.#mark(em, outer, false, undefined);
    }
    const flush = this.#flushes.get(em);
    if (flush?.outerTransaction) {
      this.#unfinished.get(flush.outerTransaction)?.delete(flush);
    }
    this.#flushes.delete(em);
  }

  async #writeDeletes(em: EntityManager, uow: UnitOfWork, transaction: unknown): Promise<void> {
    const flush = this.#flushes.get(em);
    if (flush) {
      await this.#write(em, uow, transaction, flush, DELETE_TYPES);
      await this.#writeDatabaseCascades(em, uow, transaction, flush);
      for (const [pivot, owners] of transaction ? (flush.pivotOwners ?? []) : []) {
        flush.pivotBefore.set(pivot, await readPivotRows(em, transaction as object, pivot, owners));
      }
    }
  }

  // Rows the database itself deletes or nulls because this flush deletes the rows they reference (ON DELETE
  // CASCADE / SET NULL): no entity event tells of them, so they are found by key, before the deletes run.
  async #writeDatabaseCascades(em: EntityManager, uow: UnitOfWork, transaction: unknown, flush: FlushAudit): Promise<void> {
    const plans = this.plansFor(em.getMetadata());
    if (!plans || !transaction) {
      return;
    }
    const roots = new Map<EntityMetadata, unknown[][]>();
    for (const changeSet of uow.getChangeSets()) {
      const key = DELETE_TYPES[changeSet.type] && plans.cascades.reachesAudited(changeSet.meta.root.className, plans) ? primaryKeyValues(changeSet.entity) : null;
      if (key) {
        roots.set(changeSet.meta, [...(roots.get(changeSet.meta) ?? []), key]);
      }
    }
    if (roots.size === 0) {
      return;
    }
    // Only now that the database will change rows of its own: the keys this flush changes itself.
    const handled = new Set<string>();
    for (const changeSet of uow.getChangeSets()) {
      const key = primaryKeyValues(changeSet.entity);
      if (key) {
        handled.add(`${changeSet.meta.className}\u0000${keyString(key)}`);
      }
    }
    const found = await plans.cascades.find(
      em,
      transaction as object,
      plans,
      [...roots].map(([meta, keys]) => ({ meta, keys })),
      (className, key) => handled.has(`${className}\u0000${keyString(key)}`),
    );
    for (const [plan, keys] of found.deleted) {
      flush.cascaded.set(plan, new Set(keys.map(keyString)));
      if (plan.options.auditDeletes) {
        await this.writeAudit(em, transaction as object, plan, keyedChanges(em, plan, keys, 'D'), flush);
      }
    }
    flush.nulled = found.nulled;
  }

  // Inserts and updates are read from the unit of work once its statements ran (entities now carry their
  // generated keys), instead of from one event per entity: a flush pays one loop, not one hook per row.
  async #writeChanges(em: EntityManager, uow: UnitOfWork, transaction: unknown): Promise<void> {
    const flush = this.#flushes.get(em);
    if (!flush || flush.written) {
      return;
    }
    flush.written = true;
    await this.#write(em, uow, transaction, flush, CHANGE_TYPES);
    for (const [plan, keys] of flush.nulled ?? []) {
      await this.writeAudit(em, transaction as object, plan, keyedChanges(em, plan, keys, 'U'), flush);
    }
    for (const [pivot, owners] of transaction ? (flush.pivotOwners ?? []) : []) {
      const after = await readPivotRows(em, transaction as object, pivot, owners);
      const before = flush.pivotBefore.get(pivot) ?? new Map<string, unknown[]>();
      const skip = flush.cascaded.get(pivot.plan) ?? new Set<string>();
      await writePivotChanges(em, transaction as object, pivot, before, after, skip, flush, this.#shared(transaction as object, flush));
    }
  }

  async #write(
    em: EntityManager,
    uow: UnitOfWork,
    transaction: unknown,
    flush: FlushAudit,
    types: Readonly<Record<string, ChangeType | undefined>>,
  ): Promise<void> {
    const plans = this.plansFor(em.getMetadata());
    const changes = new Map<AuditPlan, AuditedChange[]>();
    for (const changeSet of uow.getChangeSets()) {
      const changeType = types[changeSet.type];
      const plan = changeType && plans?.bySource.get(changeSet.meta.className);
      if (plan && (changeType !== 'D' || plan.options.auditDeletes) && (changeType !== 'U' || changesHistory(plan, changeSet.payload))) {
        let list = changes.get(plan);
        if (!list) {
          list = [];
          changes.set(plan, list);
        }
        list.push({ entity: changeSet.entity, changeType });
      }
    }
    for (const [plan, list] of changes) {
      if (!transaction) {
        throw AuditTrailError.outsideTransaction(plan.sourceName);
      }
      await this.writeAudit(em, transaction as object, plan, list, flush);
    }
  }
}

// With `skipUnchanged`, an update whose changed properties are all outside history (excluded, version or
// `onUpdate` columns, collections) leaves no `U` row behind.
function changesHistory(plan: AuditPlan, payload: object | undefined): boolean {
  return !plan.options.skipUnchanged || Object.keys(payload ?? {}).some(name => plan.auditedProperties.has(name));
}

/**
 * Changes for rows known only by key. Track field callbacks get a reference to each (from a fork, so that the
 * flushing EntityManager's identity map is left alone).
 */
export function keyedChanges(em: EntityManager, plan: AuditPlan, keys: readonly unknown[][], changeType: ChangeType): AuditedChange[] {
  const references = em.fork();
  return keys.map(key => ({
    entity: references.getReference(plan.source.class as EntityName<object>, (key.length === 1 ? key[0] : key) as never),
    key: [...key],
    changeType,
  }));
}
